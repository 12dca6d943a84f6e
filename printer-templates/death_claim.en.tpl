# Death claim slip (death_claim), English: the family keeps it until the lab decides.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
if | duplicate
text center bold big | DUPLICATE
text center | Copy printed {printed_date} {printed_time}
end
text center bold | DEATH CLAIM - MUTUAL-AID FUND
text center bold big | {claim}
row | {date} | {time}
rule
text | Member: {member_name}
text | {member_id}
text | Father/husband: {relative_name}
text | Village: {village}
text | Died on {died_on} ({cause})
text | Certificate {certificate}, issued by {authority}
rule
text | Claimant: {claimant} ({relation})
if | not_nominee
text | Not the recorded nominee: {reason}
end
text | To be paid into account {account}
text | Benefit under the rules: {benefit}
rule
if | payable
text bold | Payable under the fund's rules.
end
ifnot | payable
text bold | Not payable under the fund's rules:
each | bars
text | - {bar}
end
end
text | The lab checks the documents and decides. Payment is by bank transfer only, never in cash.
rule
text | Filed by {operator}
text | Attested by {attester}
text | Claimant's signature or thumb:
feed | 3
qr
cut
