# Nominee change slip, English: the member keeps it.
text center bold | {panchayat} Gram Panchayat
text center | e-Dastak centre {kiosk}, {block}
rule
if | duplicate
text center bold big | DUPLICATE
end
text center bold | NOMINEE CHANGED
row | {member_id} | {date}
text | {member_name}
text | Father/husband: {relative_name}
text | Village: {village}
text | Scheme: {scheme}
rule
if | old_nominee
text | Nominee before: {old_nominee}
end
text bold | New nominee: {nominee}
text | From {on}
text | Reason: {reason}
rule
text | Recorded by {operator}
text | Member's signature or thumb:
feed | 3
text center | Keep this slip safe
cut
