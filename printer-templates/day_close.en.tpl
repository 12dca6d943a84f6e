# Day-close report, English. Amounts in rupees.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
text center bold | DAY CLOSE
row | {close_date} | {time}
text | Operator: {operator}
text | Receipts: {contributions}
rule
text bold | Cash counted (Rs.)
each | notes
row | {note} x {count} | {total}
end
row | Coins | {coins}
rule
row bold | Counted | {counted}
row | Expected | {expected}
row bold | Difference | {variance}
if | reason
text | Reason: {reason}
end
rule
text | Signature:
feed | 2
cut
