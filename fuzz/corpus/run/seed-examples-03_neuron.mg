# 03 — One neuron: tanh(x1*w1 + x2*w2 + b), backpropagated by hand and by autograd.
#
# Run: cargo run --release -- examples/03_neuron.mg

# Inputs, weights and a bias. The lecture picks b so that n = 0.8813735870195432,
# where tanh(n) = 1/sqrt(2) and the numbers come out nice.
x1 = 2.0
x2 = 0.0
w1 = -3.0
w2 = 1.0
b = 6.8813735870195432

x1w1 = x1 * w1
x2w2 = x2 * w2
x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + b
o = tanh(n)               # the activation squashes n into (-1, 1)
print "o =", o.data
assert o.data == 0.7071067811865476

# --- By hand -----------------------------------------------------------------
o.grad = 1
# do/dn = 1 - tanh(n)² = 1 - o²: 0.5 in exact arithmetic, 0.4999999999999999 in f64.
n.grad = (1 - o.data**2) * o.grad
print "do/dn = 1 - o**2 =", n.grad
# '+' routes the gradient: b and x1w1x2w2 both get 0.5, then x1w1 and x2w2.
b.grad = n.grad
x1w1x2w2.grad = n.grad
x1w1.grad = x1w1x2w2.grad
x2w2.grad = x1w1x2w2.grad
# '*' swaps: do/dx1 = w1 * do/dx1w1 and do/dw1 = x1 * do/dx1w1.
x1.grad = w1.data * x1w1.grad     # ≈ -1.5 (0.4999999999999999 * -3)
w1.grad = x1.data * x1w1.grad     # ≈  1
x2.grad = w2.data * x2w2.grad     # ≈  0.5
w2.grad = x2.data * x2w2.grad     #  0: x2 is 0, so w2 cannot matter here
print "by hand: x1", x1.grad, "w1", w1.grad, "x2", x2.grad, "w2", w2.grad

# --- By autograd ---------------------------------------------------------------
# `grad o` starts over from zero and does the same walk. Floating point makes
# 1 - o² come out as 0.4999999999999999, so compare with ~= (equal up to 1e-6
# relative), not ==.
grad o wrt x1, w1, x2, w2, b
assert x1.grad ~= -1.5 and w1.grad ~= 1, "x1.grad = w1 * 0.5, w1.grad = x1 * 0.5"
assert x2.grad ~= 0.5 and w2.grad == 0, "x2.grad = w2 * 0.5, w2.grad = x2 * 0.5 = 0"
assert n.grad == 0.4999999999999999
check o

# --- The same neuron, with tanh written out through exp -----------------------
# tanh(n) = (e^(2n) - 1) / (e^(2n) + 1). More nodes (exp, *, -, +, /), but the
# chain rule through all of them must give the same gradients: the level at
# which you write an operation is up to you, as long as you know its local
# derivative.
e = exp(2 * n)
o2 = (e - 1) / (e + 1)
print "o2 =", o2.data
grad o2 wrt x1, w1, x2, w2, b
assert o2.data ~= 0.7071067811865476
assert x1.grad ~= -1.5 and w1.grad ~= 1
assert x2.grad ~= 0.5 and w2.grad == 0
check o2
