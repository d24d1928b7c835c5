# 04 — A node used more than once: gradients add up.
#
# The first backward pass people write sets each input's gradient with `=`:
#     self.grad = 1.0 * out.grad
# That is right when every node is used once, and wrong as soon as a node
# reaches the output along two paths. The multivariable chain rule says the
# contributions of all paths add, so backward must accumulate: `+=`.
# mg accumulates; this script shows what that fixes.
# Run: cargo run --release -- examples/04_multiple_paths.mg

# --- Bug 1: b = a + a ------------------------------------------------------------
# b = 2a, so db/da = 2. Both inputs of this '+' are the same node a, and each
# sends it 1 * b.grad = 1.
a = 3.0
b = a + a
backward b
print "b = a + a: a.grad =", a.grad
assert a.grad == 2, "both paths count: 1 + 1"
# With `=`, the second path would overwrite the first instead of adding to it,
# and a.grad would print 1. `explain` shows the two separate contributions:
explain b

# --- Bug 2: f = (a*b) * (a+b) ----------------------------------------------------
# a and b each reach f twice: through d = a*b and through e = a+b.
a = -2.0
b = 3.0
d = a * b       # -6
e = a + b       #  1
f = d * e       # -6
backward f
print "f = d * e: a.grad =", a.grad, "b.grad =", b.grad
# By the chain rule, summed over both paths:
#   df/da = df/dd * dd/da + df/de * de/da = e*b + d*1 = 1*3 + -6 = -3
#   df/db = df/dd * dd/db + df/de * de/db = e*a + d*1 = 1*-2 + -6 = -8
assert a.grad == -3 and b.grad == -8
# With `=`, whichever path runs last wins. The path through e = a+b sends
# d = -6 to each of a and b; the path through d = a*b sends e*b = 3 to a and
# e*a = -2 to b. In the lecture's notebook the a*b node ran last and overwrote
# the others: it printed a.grad = 3 and b.grad = -2, both wrong.
assert a.grad == e.data * b.data + d.data and b.grad == e.data * a.data + d.data

# The finite differences agree with the accumulated gradients.
check f

# The price of `+=`: grads must start at 0 before each backward pass, or the
# old ones are added in too. That is the next example.
