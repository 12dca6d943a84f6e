# वापसी पर्ची (reversal slip), Hindi.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
if | duplicate
text center bold big | प्रतिलिपि
text center bold | DUPLICATE
text center | दूसरी प्रति, {printed_date} {printed_time}
end
text center bold | वापसी पर्ची
text center | {receipt}
row | {date} | {time}
rule
text | यह पर्ची इस रसीद को रद्द करती है:
text center bold | {original}
text | सदस्य: {member_name}
text | {member_id}
text | योजना: {scheme}
rule
text center bold big | {amount}
text center | {amount_words} लौटाए गए
rule
text | कारण: {reason}
text | पर्यवेक्षक: {supervisor} ({supervisor_code})
qr
cut
