"""Statistics for leadership (人才统计): one function per published figure,
and the dashboards' data.
"""
