# Printer test page, English.
text center bold big | dastak
text center | Printer test page
text | {printer}
row | {date} | {time}
rule
text | Hindi: क्ष त्र श्री प्रिंट र्क हिंदी
text | ₹1,00,000.00
text bold | Bold letters
text big | Big letters
text | 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ
if | wide
text | 80 mm, 48 columns
end
ifnot | wide
text | 58 mm, 32 columns
end
rule
cut
