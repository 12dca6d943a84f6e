# भुगतान पर्ची (claim_payout), Hindi: printed when the lab has paid a death
# claim by bank transfer; the family signs or puts a thumb on it.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
if | duplicate
text center bold big | प्रतिलिपि
text center bold | DUPLICATE
end
text center bold big | भुगतान पर्ची
text center bold | सहायता कोष: मृत्यु दावा
text center | {claim}
rule
text | सदस्य: {member_name}
text | गाँव: {village}
text | मृत्यु: {died_on}
text | दावेदार: {claimant} ({relation})
rule
text center | बैंक खाते में भेजी गई राशि
text center bold big | {amount}
text center | {amount_words}
ifnot | has_transfers
text | खाता: {account}
text | बैंक संदर्भ: {bank_ref}
end
text | भुगतान तिथि: {paid_on}
if | has_shares
text bold | मृत्यु के दिन के नामितों के हिस्से
each | shares
text | {name} ({relation}) {share}
text right | {part}
end
end
if | has_transfers
text bold | हर हिस्सा अलग ट्रांसफ़र से
each | transfers
text | {name}: {part}
text | खाता: {account}
text | बैंक संदर्भ: {bank_ref}
end
end
text | राशि केवल बैंक से दी गई, नकद नहीं।
rule
text | दावेदार के हस्ताक्षर / अँगूठे का निशान:
feed | 3
text | ________________________
qr
text center | QR कोड से पर्ची की जाँच करें
cut
