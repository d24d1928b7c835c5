x = 0
for k in 0..3 {
  x += k
}
break
