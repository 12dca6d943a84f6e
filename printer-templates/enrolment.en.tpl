# Enrolment slip, English: the member ID to bring next time.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
if | duplicate
text center bold big | DUPLICATE
end
text center bold | ENROLMENT SLIP
text center bold big | {member_id}
text | {member_name}
text | Father/husband: {relative_name}
text | Village: {village}
if | ration_card
text | Ration card: {ration_card}
end
text | Date: {date}
rule
each | schemes
text bold | {scheme}
if | group
text | Group: {group}
end
if | nominee
text | Nominee: {nominee}
end
text | {dues}
end
rule
text | Enrolled by {operator}
qr
text center | Bring this slip on your next visit
cut
