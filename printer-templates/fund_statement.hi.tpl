# कोष का मासिक विवरण (fund_statement), Hindi: made and signed by the
# district lab, printed at the kiosk for the panchayat's notice board.
# Members' names are a first name and an initial: the paper is public.
text center bold | ग्राम पंचायत {panchayat}
text center | ई-दस्तक केंद्र {kiosk}, {block}
rule
if | duplicate
text center bold big | प्रतिलिपि
text center bold | DUPLICATE
end
text center bold big | कोष का मासिक विवरण
text center bold | {scheme}
text center | महीना {month}, {as_of} तक
rule
text bold | सदस्य: {members}
row | नियमित | {good}
row | छूट अवधि में | {grace}
row | सुरक्षा की प्रतीक्षा में | {waiting}
row | सदस्यता टूटी | {lapsed}
row | मृत्यु (दावा दर्ज) | {died}
rule
row | आरंभिक शेष | {opening}
row | जमा ({receipts} रसीदें) | {collected}
if | reversals
text | {reversals} रसीदें वापस ली गईं, राशि जमा में से घटाई गई
end
row | परिवारों को भुगतान | {payouts}
row | शुल्क (कोष में रखा) | {fees}
row bold | अंतिम शेष | {closing}
text center | {closing_words}
rule
text bold | इस महीने के दावे
if | no_claims
text | कोई नहीं
end
each | claims
text | {on} {claim}
text | {name}, {village}
row | {step} | {amount}
end
rule
text | ज़िला लैब ने {made_on} को बनाया और हस्ताक्षर किए
qr
text center | QR कोड से विवरण की जाँच करें
cut
