exercise "Backprop"
setup { a = 2.0; b = -3.0; L = a*b }
reference { backward L }
