# Payout slip (claim_payout), English: printed when the lab has paid a
# death claim by bank transfer; the family signs or puts a thumb on it.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
if | duplicate
text center bold big | DUPLICATE
end
text center bold big | PAYOUT SLIP
text center bold | Mutual-aid fund: death claim
text center | {claim}
rule
text | Member: {member_name}
text | Village: {village}
text | Died on: {died_on}
text | Claimant: {claimant} ({relation})
rule
text center | Paid into the bank account
text center bold big | {amount}
text center | {amount_words}
ifnot | has_transfers
text | Account: {account}
text | Bank reference: {bank_ref}
end
text | Paid on: {paid_on}
if | has_shares
text bold | Parts of the nominees on the day of death
each | shares
text | {name} ({relation}) {share}
text right | {part}
end
end
if | has_transfers
text bold | Each part by its own transfer
each | transfers
text | {name}: {part}
text | Account: {account}
text | Bank reference: {bank_ref}
end
end
text | Paid by bank transfer only, never in cash.
rule
text | Claimant's signature or thumb impression:
feed | 3
text | ________________________
qr
text center | Check this slip by its QR code
cut
