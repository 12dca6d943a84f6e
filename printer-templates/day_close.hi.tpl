# दिन बंद रिपोर्ट (day-close report), Hindi. Amounts in rupees.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
text center bold | दिन बंद रिपोर्ट
row | {close_date} | {time}
text | संचालक: {operator}
text | रसीदें: {contributions}
rule
text bold | नकद गिनती (₹)
each | notes
row | {note} x {count} | {total}
end
row | सिक्के | {coins}
rule
row bold | गिना गया | {counted}
row | अपेक्षित | {expected}
row bold | अंतर | {variance}
if | reason
text | कारण: {reason}
end
rule
text | हस्ताक्षर:
feed | 2
cut
