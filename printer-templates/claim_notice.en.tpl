# Public notice (claim_notice), English: printed when the lab publishes a
# death claim, for the panchayat's notice board. Anyone may object until
# the last day it names.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
if | duplicate
text center bold big | DUPLICATE
end
text center bold big | PUBLIC NOTICE
text center bold | Mutual-aid fund: death claim
text center | {claim}
rule
text | Member: {member_name}
text | Father/husband: {relative_name}
text | Village: {village}
if | joined_on
text | Joined the fund: {joined_on}
end
text | Died on: {died_on}
text | Claimant: {claimant} ({relation})
rule
text center | Amount to be paid
text center bold big | {amount}
text center | {amount_words}
rule
text bold | Last day to object: {until}
text | Anyone who objects to this claim may write by {until} to the e-Dastak centre {kiosk} or to the district lab, {district}, giving the reason and their name.
text | If no one objects, the amount goes only to the claimant's bank account, never in cash.
rule
text | Published by the district lab on {decided_on}
qr
text center | Check this notice by its QR code
cut
