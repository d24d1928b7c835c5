exercise "Backprop"
a = 2.0
setup { b = -3.0; L = a*b }
reference { backward L }
question "dL/da" a.grad
