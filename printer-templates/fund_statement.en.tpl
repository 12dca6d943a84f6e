# Monthly statement of the fund (fund_statement), English: made and signed
# by the district lab, printed at the kiosk for the panchayat's notice
# board. Members' names are a first name and an initial: the paper is public.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
if | duplicate
text center bold big | DUPLICATE
end
text center bold big | FUND STATEMENT
text center bold | {scheme}
text center | Month {month}, as of {as_of}
rule
text bold | Members: {members}
row | In good standing | {good}
row | In grace | {grace}
row | Waiting for cover | {waiting}
row | Lapsed | {lapsed}
row | Died (claim filed) | {died}
rule
row | Opening balance | {opening}
row | Collected ({receipts} receipts) | {collected}
if | reversals
text | {reversals} receipts reversed, taken off what was collected
end
row | Paid to families | {payouts}
row | Fee (kept in the fund) | {fees}
row bold | Closing balance | {closing}
text center | {closing_words}
rule
text bold | Claims this month
if | no_claims
text | None
end
each | claims
text | {on} {claim}
text | {name}, {village}
row | {step} | {amount}
end
rule
text | Made and signed by the district lab on {made_on}
qr
text center | Check this statement by its QR code
cut
