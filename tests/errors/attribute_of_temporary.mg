a = 2
(a*3).grad = 5
