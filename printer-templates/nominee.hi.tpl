# नामित परिवर्तन पर्ची (nominee change slip), Hindi: the member keeps it.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
if | duplicate
text center bold big | प्रतिलिपि
text center bold | DUPLICATE
end
text center bold | नामित परिवर्तन पर्ची
row | {member_id} | {date}
text | {member_name}
text | पिता/पति: {relative_name}
text | गाँव: {village}
text | योजना: {scheme}
rule
if | old_nominee
text | पहले नामित: {old_nominee}
end
text bold | नया नामित: {nominee}
text | {on} से लागू
text | कारण: {reason}
rule
text | दर्ज किया: {operator}
text | सदस्य के हस्ताक्षर / अँगूठा:
feed | 3
text center | यह पर्ची संभालकर रखें
cut
