# सार्वजनिक सूचना (claim_notice), Hindi: printed when the lab publishes a
# death claim, for the panchayat's notice board. Anyone may object until
# the last day it names.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
if | duplicate
text center bold big | प्रतिलिपि
text center bold | DUPLICATE
end
text center bold big | सार्वजनिक सूचना
text center bold | सहायता कोष: मृत्यु दावा
text center | {claim}
rule
text | सदस्य: {member_name}
text | पिता/पति: {relative_name}
text | गाँव: {village}
if | joined_on
text | कोष में शामिल: {joined_on}
end
text | मृत्यु: {died_on}
text | दावेदार: {claimant} ({relation})
rule
text center | देय राशि
text center bold big | {amount}
text center | {amount_words}
rule
text bold | आपत्ति की अंतिम तिथि: {until}
text | इस दावे पर किसी को आपत्ति हो तो {until} तक लिखकर ई-दस्तक केंद्र {kiosk} पर दें, या जिला लैब {district} को भेजें। आपत्ति का कारण और अपना नाम लिखें।
text | आपत्ति न होने पर राशि केवल दावेदार के बैंक खाते में जाएगी, नकद कभी नहीं।
rule
text | जिला लैब द्वारा जारी: {decided_on}
qr
text center | QR कोड से सूचना की जाँच करें
cut
