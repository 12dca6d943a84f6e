# प्रिंटर परीक्षण पृष्ठ (printer test page), Hindi.
text center bold big | dastak
text center | प्रिंटर परीक्षण पृष्ठ
text | {printer}
row | {date} | {time}
rule
text | क्ष त्र श्री प्रिंट र्क हिंदी
text | अ आ इ ई उ ऊ ए ऐ ओ औ क ख ग
text | ०१२३४५६७८९ ₹१,००,०००.००
text bold | मोटे अक्षर
text big | बड़े अक्षर
text | 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ
if | wide
text | 80 mm, 48 columns
end
ifnot | wide
text | 58 mm, 32 columns
end
rule
cut
