# अंशदान रसीद (contribution receipt), Hindi. The format is described in
# README.md in this folder. Lines of plain English letters and digits print
# in the printer's own font; lines with Hindi or ₹ are drawn as images.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
if | duplicate
text center bold big | प्रतिलिपि
text center bold | DUPLICATE
text center | दूसरी प्रति, {printed_date} {printed_time}
end
text center bold | अंशदान रसीद
text center | {receipt}
row | {date} | {time}
rule
text | सदस्य: {member_name}
text | पिता/पति: {relative_name}
text | {member_id}
text | गाँव: {village}
text | योजना: {scheme}
text | अवधि ({periods}):
text | {covers_from} - {covers_to}
rule
text center bold big | {amount}
text center | {amount_words}
rule
text | भुगतान के बाद बकाया: {dues_after}
text | प्राप्तकर्ता: {operator} ({operator_code})
if | reversed_by
text bold | यह रसीद रद्द हो चुकी है: {reversed_by}
end
qr
text center | QR कोड से रसीद की जाँच करें
cut
