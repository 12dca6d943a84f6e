# दावा अस्वीकृति पत्र (claim_rejection), Hindi: printed when the lab
# rejects a death claim, for the family.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
if | duplicate
text center bold big | प्रतिलिपि
text center bold | DUPLICATE
end
text center bold big | दावा अस्वीकृत
text center bold | सहायता कोष: मृत्यु दावा
text center | {claim}
rule
text | सदस्य: {member_name}
text | पिता/पति: {relative_name}
text | गाँव: {village}
text | मृत्यु: {died_on}
text | दावेदार: {claimant} ({relation})
text | दावा दर्ज: {filed_on}
rule
text bold | जिला लैब ने यह दावा {decided_on} को अस्वीकार किया। कारण:
text | {reasons}
rule
text | नए कागज़ों के साथ दोबारा विचार के लिए ई-दस्तक केंद्र {kiosk} पर आएँ, या जिला लैब {district} को लिखें।
qr
text center | QR कोड से पत्र की जाँच करें
cut
