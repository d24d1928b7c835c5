a = 2
L = a * a
check L atol=0
