x = 0.5
for k in 0..3000 { x = x * 1.0001 }
dot x > "g.svg"
