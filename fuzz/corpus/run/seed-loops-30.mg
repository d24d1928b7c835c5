xs = []
while len(xs) < 5 { xs.append(len(xs)) }
print xs
for x in xs { xs.append(x) 
if len(xs) > 8 { break } }
print xs
