"""The electronic talent card 人才绿卡电子卡: issuance, signed QR, trust bundle, verification."""
