# Member statement, English. Amounts in history are in rupees.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
text center bold | MEMBER STATEMENT
row | {member_id} | {date}
text | {member_name}
text | Father/husband: {relative_name}
text | Village: {village}
rule
each | enrolments
text bold | {scheme}
text | Member since {enrolled_on}
text | {dues}
if | left
text | {left}
end
end
rule
text bold | History (amounts in Rs.)
each | history
text | {date} {receipt}
row | {scheme_code} | {amount}
if | note
text | {note}
end
end
rule
if | has_changes
text bold | Changes
each | changes
text | {date} {change}
text | Reason: {reason} ({operator})
end
rule
end
text center | Printed {printed_date} {printed_time}
cut
