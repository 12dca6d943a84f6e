# सदस्यता पर्ची (enrolment slip), Hindi: the member ID to bring next time.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
if | duplicate
text center bold big | प्रतिलिपि
text center bold | DUPLICATE
end
text center bold | सदस्यता पर्ची
text center bold big | {member_id}
text | {member_name}
text | पिता/पति: {relative_name}
text | गाँव: {village}
if | ration_card
text | राशन कार्ड: {ration_card}
end
text | दिनांक: {date}
rule
each | schemes
text bold | {scheme}
if | group
text | समूह: {group}
end
if | nominee
text | नामित: {nominee}
end
text | {dues}
end
rule
text | पंजीकरण: {operator}
qr
text center | अगली बार यह पर्ची साथ लाएँ
cut
