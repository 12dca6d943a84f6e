# Claim rejection letter (claim_rejection), English: printed when the lab
# rejects a death claim, for the family.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
if | duplicate
text center bold big | DUPLICATE
end
text center bold big | CLAIM REJECTED
text center bold | Mutual-aid fund: death claim
text center | {claim}
rule
text | Member: {member_name}
text | Father/husband: {relative_name}
text | Village: {village}
text | Died on: {died_on}
text | Claimant: {claimant} ({relation})
text | Claim filed: {filed_on}
rule
text bold | The district lab rejected this claim on {decided_on}, for these reasons:
text | {reasons}
rule
text | To have it looked at again with new papers, come to the e-Dastak centre {kiosk} or write to the district lab, {district}.
qr
text center | Check this letter by its QR code
cut
