x = 2
plot x
