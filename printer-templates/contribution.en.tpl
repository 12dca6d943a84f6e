# Contribution receipt, English. The format is described in README.md in
# this folder.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
if | duplicate
text center bold big | DUPLICATE
text center | Copy printed {printed_date} {printed_time}
end
text center bold | CONTRIBUTION RECEIPT
text center | {receipt}
row | {date} | {time}
rule
text | Member: {member_name}
text | Father/husband: {relative_name}
text | {member_id}
text | Village: {village}
text | Scheme: {scheme}
text | Periods ({periods}): {covers_from} - {covers_to}
rule
text center bold big | {amount}
text center | {amount_words}
rule
text | Due after this payment: {dues_after}
text | Received by {operator} ({operator_code})
if | reversed_by
text bold | This receipt was reversed: {reversed_by}
end
qr
text center | Scan the QR code to check this receipt
cut
