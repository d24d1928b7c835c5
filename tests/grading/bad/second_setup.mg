exercise "Backprop"
setup { a = 2.0; b = -3.0 }
setup { L = a*b }
reference { backward L }
question "dL/da" a.grad
