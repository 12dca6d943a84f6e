# Reversal slip, English.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
if | duplicate
text center bold big | DUPLICATE
text center | Copy printed {printed_date} {printed_time}
end
text center bold | REVERSAL SLIP
text center | {receipt}
row | {date} | {time}
rule
text | This slip cancels receipt
text center bold | {original}
text | Member: {member_name}
text | {member_id}
text | Scheme: {scheme}
rule
text center bold big | {amount}
text center | {amount_words} paid back
rule
text | Reason: {reason}
text | Supervisor: {supervisor} ({supervisor_code})
qr
cut
