# An f-string holds expressions: derivative is read there too.
note = f"the slope at 1 is {derivative(f, 1)}"
fn df(x) = 6*x - 4
