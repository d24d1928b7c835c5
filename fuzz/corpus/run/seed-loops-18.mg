a = 1
for k in 0..3 { for j in 0..k { a = a * (j + 1) } }
print a
k = 5
while k > 0 { k -= 1
for j in 0..2 { if j == k { break } } }
print k, j
