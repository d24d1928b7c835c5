exercise "Backprop"
setup
  a = 2.0
reference { backward L }
question "dL/da" a.grad
