# मृत्यु दावा पर्ची (death claim slip), Hindi: the family keeps it until the lab decides.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
if | duplicate
text center bold big | प्रतिलिपि
text center bold | DUPLICATE
end
text center bold | मृत्यु दावा - सहायता कोष
text center bold big | {claim}
row | {date} | {time}
rule
text | सदस्य: {member_name}
text | {member_id}
text | पिता/पति: {relative_name}
text | गाँव: {village}
text | मृत्यु: {died_on} ({cause})
text | प्रमाण पत्र {certificate}, जारी: {authority}
rule
text | दावेदार: {claimant} ({relation})
if | not_nominee
text | दर्ज नामित नहीं: {reason}
end
text | भुगतान खाता: {account}
text | नियमों के अनुसार सहायता राशि: {benefit}
rule
if | payable
text bold | कोष के नियमों के अनुसार देय।
end
ifnot | payable
text bold | कोष के नियमों के अनुसार देय नहीं:
each | bars
text | - {bar}
end
end
text | लैब कागज़ जाँचकर निर्णय करेगी। भुगतान केवल बैंक खाते में, नकद कभी नहीं।
rule
text | दर्ज किया: {operator}
text | पुष्टि: {attester}
text | दावेदार के हस्ताक्षर / अँगूठा:
feed | 3
qr
cut
