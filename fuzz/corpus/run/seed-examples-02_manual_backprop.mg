# 02 — Backpropagation by hand, on the lecture's graph L = (a*b + c) * f.
#
# Each assignment of a number makes a leaf node labelled with its name; each
# operation makes a new node that remembers its inputs. Run:
#   cargo run --release -- examples/02_manual_backprop.mg

a = 2.0
b = -3.0
c = 10.0
e = a * b       # -6
d = e + c       #  4
f = -2.0
L = d * f       # -8
assert L.data == -8
show L          # the graph as a tree; every grad is still 0

# We want dL/dx for every node x, written x.grad. Walk from L back to the leaves.

# dL/dL = 1: nudge L by h and L changes by h.
L.grad = 1

# L = d * f. For a product, the derivative with respect to one factor is the
# other factor: dL/dd = f and dL/df = d.
d.grad = f.data * L.grad      # -2
f.grad = d.data * L.grad      #  4

# d = e + c. A sum's local derivative is 1 for each input, so '+' just routes
# the gradient that arrives at d, unchanged, to both inputs. That is the chain
# rule: dL/dc = dL/dd * dd/dc = -2 * 1.
c.grad = 1 * d.grad           # -2
e.grad = 1 * d.grad           # -2

# e = a * b: local derivatives de/da = b and de/db = a, times what arrived at e.
# dL/da = dL/de * de/da = -2 * -3 = 6, and dL/db = -2 * 2 = -4.
a.grad = b.data * e.grad      #  6
b.grad = a.data * e.grad      # -4

print "by hand: a", a.grad, "b", b.grad, "c", c.grad, "d", d.grad, "e", e.grad, "f", f.grad

# Keep the hand-made answers, then let autograd do the same walk.
ha = a.grad; hb = b.grad; hc = c.grad; hd = d.grad; he = e.grad; hf = f.grad

# `grad L` zeroes every grad in L's graph, sets L.grad = 1 and back-propagates.
grad L
assert a.grad == ha and b.grad == hb and c.grad == hc, "autograd agrees on the leaves"
assert d.grad == hd and e.grad == he and f.grad == hf, "and on the inner nodes"
assert a.grad == 6 and b.grad == -4 and c.grad == -2 and f.grad == 4

# `explain` narrates the same chain-rule steps we just did by hand,
# and `check` compares every leaf's gradient with a finite difference.
explain L
check L

# ---------------------------------------------------------------------------
# What the gradient is for: nudge every leaf a little in the direction of its
# gradient, and L must go up (from -8 towards 0).
step = 0.01
a.data += step * a.grad
b.data += step * b.grad
c.data += step * c.grad
f.data += step * f.grad

# Changing a leaf's .data does not recompute the nodes built from it (as in
# micrograd): L still says -8 until we run the forward pass again.
assert L.data == -8
e = a * b
d = e + c
L = d * f
print "after one step along the gradient, L =", L.data
assert L.data == -7.286496, "L rose from -8 to -7.286496"
