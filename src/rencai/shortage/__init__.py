"""急需紧缺人才需求目录: employers' needs, the published catalogue and the matching
of talents to needs.
"""
