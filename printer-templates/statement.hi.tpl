# सदस्य विवरण (member statement), Hindi. Amounts in history are in rupees.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
text center bold | सदस्य विवरण
row | {member_id} | {date}
text | {member_name}
text | पिता/पति: {relative_name}
text | गाँव: {village}
rule
each | enrolments
text bold | {scheme}
text | सदस्यता: {enrolled_on}
text | {dues}
if | left
text | {left}
end
end
rule
text bold | लेन-देन (राशि ₹ में)
each | history
text | {date} {receipt}
row | {scheme_code} | {amount}
if | note
text | {note}
end
end
rule
if | has_changes
text bold | बदलाव
each | changes
text | {date} {change}
text | कारण: {reason} ({operator})
end
rule
end
text center | छपा: {printed_date} {printed_time}
cut
