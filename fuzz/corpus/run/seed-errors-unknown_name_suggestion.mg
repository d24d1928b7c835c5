b = 2
L = bb * 2
