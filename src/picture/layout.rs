//! A layered (Sugiyama-style) layout of a DAG, left to right.
//!
//! 1. Layers: a vertex sits one layer left of its nearest-to-the-sink consumer
//!    chain (longest path to a sink), so a leaf hugs the operation that uses it.
//! 2. An edge that spans several layers is split by dummy vertices, one per layer
//!    it crosses, so it can be routed around the vertices of those layers.
//! 3. Order within a layer: depth-first from the sinks, inputs in order (a tree
//!    drawn this way has no crossing), then barycenter sweeps; the order with the
//!    fewest crossings is kept.
//! 4. Vertical positions: repeated sweeps pull each vertex toward the mean of its
//!    neighbours, then the layer is placed as close to those wishes as its order
//!    and spacing allow (isotonic regression, pool-adjacent-violators).
//!
//! Everything is deterministic: no hashing, ties keep the earlier order.

/// What to lay out: vertex sizes and edges (`from` → `to`) of a DAG.
pub struct LayoutInput {
    /// Width and height of each vertex.
    pub sizes: Vec<(f64, f64)>,
    pub edges: Vec<(usize, usize)>,
}

/// Where things went: vertex centres, and a route per edge.
pub struct Layout {
    pub centers: Vec<(f64, f64)>,
    /// Per input edge, its points: from the source's right side, along the columns
    /// it crosses (two points per crossed layer), to the target's left side.
    pub routes: Vec<Vec<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
    /// How many pairs of edges cross (between adjacent layers, dummies included);
    /// the drawing does not need it, the tests of the ordering do.
    #[cfg_attr(not(test), allow(dead_code))]
    pub crossings: usize,
}

/// Horizontal space between layers.
const LAYER_GAP: f64 = 48.0;
/// Vertical space between vertices of a layer.
const VERTEX_GAP: f64 = 14.0;
/// The height a dummy vertex (an edge passing through a layer) takes.
const DUMMY_HEIGHT: f64 = 2.0;
const MARGIN: f64 = 8.0;
const ORDER_SWEEPS: usize = 12;
const PLACE_SWEEPS: usize = 12;

/// Lays out a DAG. Edges that would go backwards (a cycle) are not expected; a
/// vertex's layer is always left of its consumers'.
pub fn layout(input: &LayoutInput) -> Layout {
    let n = input.sizes.len();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(from, to) in &input.edges {
        succ[from].push(to);
        pred[to].push(from);
    }
    // Longest path to a sink, in reverse topological order (Kahn's algorithm on successors).
    let order = topological(n, &succ, &pred);
    let mut to_sink = vec![0usize; n];
    for &v in order.iter().rev() {
        to_sink[v] = succ[v].iter().map(|&s| to_sink[s] + 1).max().unwrap_or(0);
    }
    let depth = to_sink.iter().copied().max().unwrap_or(0);
    let mut layer_of: Vec<usize> = to_sink.iter().map(|d| depth - d).collect();

    // Dummy vertices: every edge becomes a chain of one-layer hops.
    let mut sizes = input.sizes.clone();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(input.edges.len());
    for &(from, to) in &input.edges {
        let mut chain = vec![from];
        for layer in layer_of[from] + 1..layer_of[to] {
            let dummy = sizes.len();
            sizes.push((0.0, DUMMY_HEIGHT));
            layer_of.push(layer);
            chain.push(dummy);
        }
        chain.push(to);
        chains.push(chain);
    }
    let total = sizes.len();
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); total];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); total];
    for chain in &chains {
        for pair in chain.windows(2) {
            down[pair[0]].push(pair[1]);
            up[pair[1]].push(pair[0]);
        }
    }

    let mut layers = initial_order(&layer_of, &up, &down, depth + 1, &succ);
    let crossings = reduce_crossings(&mut layers, &up, &down);
    let ys = place_vertically(&layers, &sizes, &up, &down);

    // Columns: each layer as wide as its widest vertex, vertices centred in it.
    let mut column_left = Vec::with_capacity(layers.len());
    let mut column_width = Vec::with_capacity(layers.len());
    let mut x = MARGIN;
    for layer in &layers {
        let width = layer.iter().map(|&v| sizes[v].0).fold(0.0, f64::max);
        column_left.push(x);
        column_width.push(width);
        x += width + LAYER_GAP;
    }
    let width = x - LAYER_GAP + MARGIN;
    let top = (0..total)
        .map(|v| ys[v] - sizes[v].1 / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if top.is_finite() { MARGIN - top } else { MARGIN };
    let center = |v: usize| {
        let layer = layer_of[v];
        (column_left[layer] + column_width[layer] / 2.0, ys[v] + shift)
    };
    let height = (0..total).map(|v| ys[v] + shift + sizes[v].1 / 2.0).fold(0.0, f64::max) + MARGIN;
    let centers = (0..n).map(center).collect();
    let routes = chains
        .iter()
        .map(|chain| {
            let (first, last) = (chain[0], chain[chain.len() - 1]);
            let (x0, y0) = center(first);
            let mut points = vec![(x0 + sizes[first].0 / 2.0, y0)];
            let first_layer = layer_of[first];
            points.push((column_left[first_layer] + column_width[first_layer], y0));
            for &dummy in &chain[1..chain.len() - 1] {
                let layer = layer_of[dummy];
                let y = ys[dummy] + shift;
                points.push((column_left[layer], y));
                points.push((column_left[layer] + column_width[layer], y));
            }
            let (x1, y1) = center(last);
            let last_layer = layer_of[last];
            points.push((column_left[last_layer], y1));
            points.push((x1 - sizes[last].0 / 2.0, y1));
            points.dedup();
            points
        })
        .collect();
    Layout {
        centers,
        routes,
        width,
        height,
        crossings,
    }
}

/// A topological order (every edge goes from an earlier to a later vertex); ties
/// by index, so the order is deterministic. Vertices on a cycle, if any, come last.
fn topological(n: usize, succ: &[Vec<usize>], pred: &[Vec<usize>]) -> Vec<usize> {
    let mut missing: Vec<usize> = pred.iter().map(Vec::len).collect();
    let mut ready: Vec<usize> = (0..n).rev().filter(|&v| missing[v] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while let Some(v) = ready.pop() {
        order.push(v);
        placed[v] = true;
        for &s in succ[v].iter().rev() {
            missing[s] -= 1;
            if missing[s] == 0 {
                ready.push(s);
            }
        }
    }
    order.extend((0..n).filter(|&v| !placed[v]));
    order
}

/// Depth-first from the sinks (last vertex first), following inputs in order, so that a
/// node's inputs are stacked as written and every subtree stays together.
fn initial_order(
    layer_of: &[usize],
    up: &[Vec<usize>],
    down: &[Vec<usize>],
    layer_count: usize,
    succ: &[Vec<usize>],
) -> Vec<Vec<usize>> {
    let total = layer_of.len();
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    let mut seen = vec![false; total];
    let sinks = (0..succ.len()).rev().filter(|&v| down[v].is_empty());
    for sink in sinks {
        let mut stack = vec![sink];
        while let Some(v) = stack.pop() {
            if seen[v] {
                continue;
            }
            seen[v] = true;
            layers[layer_of[v]].push(v);
            stack.extend(up[v].iter().rev().filter(|&&u| !seen[u]));
        }
    }
    for v in 0..total {
        if !seen[v] {
            layers[layer_of[v]].push(v);
        }
    }
    layers
}

/// Barycenter sweeps, keeping the order with the fewest crossings; returns their number.
fn reduce_crossings(layers: &mut [Vec<usize>], up: &[Vec<usize>], down: &[Vec<usize>]) -> usize {
    let total = up.len();
    let mut position = vec![0usize; total];
    let index = |layers: &[Vec<usize>], position: &mut [usize]| {
        for layer in layers {
            for (i, &v) in layer.iter().enumerate() {
                position[v] = i;
            }
        }
    };
    index(layers, &mut position);
    let mut best = layers.to_vec();
    let mut best_crossings = crossings(layers, down, &position);
    for sweep in 0..ORDER_SWEEPS {
        if best_crossings == 0 {
            break;
        }
        let rightward = sweep % 2 == 1;
        let count = layers.len();
        for step in 1..count {
            let layer = if rightward { step } else { count - 1 - step };
            let neighbours = if rightward { up } else { down };
            let mut keyed: Vec<(f64, usize)> = layers[layer]
                .iter()
                .map(|&v| {
                    let others = &neighbours[v];
                    let key = if others.is_empty() {
                        position[v] as f64
                    } else {
                        others.iter().map(|&o| position[o] as f64).sum::<f64>() / others.len() as f64
                    };
                    (key, v)
                })
                .collect();
            // A stable sort: ties keep the current order.
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            layers[layer] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in layers[layer].iter().enumerate() {
                position[v] = i;
            }
        }
        let now = crossings(layers, down, &position);
        if now < best_crossings {
            best_crossings = now;
            best = layers.to_vec();
        }
    }
    layers.clone_from_slice(&best);
    best_crossings
}

/// Edge crossings between adjacent layers: inversions of target positions when edges
/// are sorted by source position, counted with a Fenwick tree.
fn crossings(layers: &[Vec<usize>], down: &[Vec<usize>], position: &[usize]) -> usize {
    let mut total = 0;
    for pair in layers.windows(2) {
        let mut edges: Vec<(usize, usize)> = pair[0]
            .iter()
            .flat_map(|&v| down[v].iter().map(move |&w| (position[v], position[w])))
            .collect();
        edges.sort_unstable();
        let size = pair[1].len() + 1;
        let mut tree = vec![0usize; size + 1];
        for (seen, &(_, target)) in edges.iter().enumerate() {
            // Count earlier edges whose target is below this one's.
            let mut at_or_below = 0;
            let mut i = target + 1;
            while i > 0 {
                at_or_below += tree[i];
                i &= i - 1;
            }
            total += seen - at_or_below;
            let mut i = target + 1;
            while i <= size {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
    }
    total
}

/// Vertical centres: each layer packed, then sweeps toward neighbours' mean positions.
fn place_vertically(layers: &[Vec<usize>], sizes: &[(f64, f64)], up: &[Vec<usize>], down: &[Vec<usize>]) -> Vec<f64> {
    let mut ys = vec![0.0; sizes.len()];
    for layer in layers {
        let mut y = 0.0;
        for &v in layer {
            ys[v] = y + sizes[v].1 / 2.0;
            y += sizes[v].1 + VERTEX_GAP;
        }
    }
    for sweep in 0..PLACE_SWEEPS {
        let rightward = sweep % 2 == 0;
        let count = layers.len();
        for step in 0..count {
            let layer = if rightward { step } else { count - 1 - step };
            let wishes: Vec<f64> = layers[layer]
                .iter()
                .map(|&v| {
                    let primary = if rightward { &up[v] } else { &down[v] };
                    let others = if primary.is_empty() {
                        if rightward { &down[v] } else { &up[v] }
                    } else {
                        primary
                    };
                    if others.is_empty() {
                        ys[v]
                    } else {
                        others.iter().map(|&o| ys[o]).sum::<f64>() / others.len() as f64
                    }
                })
                .collect();
            let placed = closest_placement(&layers[layer], sizes, &wishes);
            for (&v, y) in layers[layer].iter().zip(placed) {
                ys[v] = y;
            }
        }
    }
    ys
}

/// The positions nearest (least squares) to `wishes` that keep the layer's order and
/// spacing: subtract each vertex's minimal offset from the first, then the problem is
/// isotonic regression, solved by pooling adjacent violators.
fn closest_placement(layer: &[usize], sizes: &[(f64, f64)], wishes: &[f64]) -> Vec<f64> {
    let mut offsets = Vec::with_capacity(layer.len());
    let mut offset = 0.0;
    for (i, &v) in layer.iter().enumerate() {
        if i > 0 {
            offset += (sizes[layer[i - 1]].1 + sizes[v].1) / 2.0 + VERTEX_GAP;
        }
        offsets.push(offset);
    }
    // Blocks of (sum, count); each block's value is its mean.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for (wish, offset) in wishes.iter().zip(&offsets) {
        blocks.push((wish - offset, 1.0, 1));
        while blocks.len() > 1 {
            let (sum, count, len) = blocks[blocks.len() - 1];
            let (prev_sum, prev_count, prev_len) = blocks[blocks.len() - 2];
            if prev_sum / prev_count <= sum / count {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (prev_sum + sum, prev_count + count, prev_len + len);
        }
    }
    let mut placed = Vec::with_capacity(layer.len());
    for (sum, count, len) in blocks {
        let value = sum / count;
        for _ in 0..len {
            placed.push(value + offsets[placed.len()]);
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes(n: usize) -> Vec<(f64, f64)> {
        vec![(40.0, 20.0); n]
    }

    #[test]
    fn inputs_sit_left_of_what_uses_them_and_leaves_hug_their_consumer() {
        // 0 -> 2, 1 -> 2, 2 -> 4, 3 -> 4: a tree.
        let input = LayoutInput {
            sizes: boxes(5),
            edges: vec![(0, 2), (1, 2), (2, 4), (3, 4)],
        };
        let layout = layout(&input);
        let x = |v: usize| layout.centers[v].0;
        assert!(x(0) < x(2) && x(2) < x(4));
        assert_eq!(x(0), x(1));
        assert_eq!(x(3), x(2), "leaf 3 sits one layer left of 4");
        // Inputs are stacked in order.
        assert!(layout.centers[0].1 < layout.centers[1].1);
    }

    #[test]
    fn long_edges_are_routed_through_the_layers_they_cross() {
        // 0 -> 1 -> 2 -> 3 and 0 -> 3.
        let input = LayoutInput {
            sizes: boxes(4),
            edges: vec![(0, 1), (1, 2), (2, 3), (0, 3)],
        };
        let layout = layout(&input);
        assert_eq!(layout.routes[3].len(), 2 + 2 * 2 + 2 - 2, "{:?}", layout.routes[3]);
        // The detour does not cross the chain's vertices.
        let y1 = layout.centers[1].1;
        for &(_, y) in &layout.routes[3][1..layout.routes[3].len() - 1] {
            assert!((y - y1).abs() >= 10.0 + DUMMY_HEIGHT / 2.0, "{y} vs {y1}");
        }
    }

    #[test]
    fn placement_keeps_order_and_spacing() {
        let sizes = boxes(3);
        let placed = closest_placement(&[0, 1, 2], &sizes, &[0.0, 0.0, 100.0]);
        assert_eq!(placed, vec![-17.0, 17.0, 100.0]);
    }

    /// A deterministic pseudo-random DAG: each vertex takes one to three earlier inputs.
    fn random_dag(n: usize, seed: u64) -> LayoutInput {
        let mut state = seed;
        let mut next = move |bound: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % bound
        };
        let mut edges = Vec::new();
        for to in 1..n {
            for _ in 0..1 + next(3) {
                let from = to - 1 - next(to.min(8));
                if !edges.contains(&(from, to)) {
                    edges.push((from, to));
                }
            }
        }
        let sizes = (0..n)
            .map(|v| (30.0 + (v % 5) as f64 * 20.0, 20.0 + (v % 2) as f64 * 10.0))
            .collect();
        LayoutInput { sizes, edges }
    }

    #[test]
    fn no_two_vertices_overlap_and_edges_run_left_to_right() {
        let input = random_dag(300, 7);
        let layout = layout(&input);
        let boxes: Vec<(f64, f64, f64, f64)> = layout
            .centers
            .iter()
            .zip(&input.sizes)
            .map(|(&(x, y), &(w, h))| (x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0))
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(a.0 >= 0.0 && a.1 >= 0.0 && a.2 <= layout.width && a.3 <= layout.height);
            for b in &boxes[i + 1..] {
                let apart = a.2 <= b.0 || b.2 <= a.0 || a.3 <= b.1 || b.3 <= a.1;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        for route in &layout.routes {
            assert!(route.windows(2).all(|pair| pair[0].0 <= pair[1].0), "{route:?}");
        }
    }

    #[test]
    fn trees_are_drawn_without_crossings() {
        // A full binary tree of depth 6, inputs before their node: the root is last.
        let mut edges = Vec::new();
        let count = 127;
        // Heap numbering from the root (0); vertex id = count - 1 - heap index.
        for heap in 1..count {
            edges.push((count - 1 - heap, count - 1 - (heap - 1) / 2));
        }
        let tree = LayoutInput {
            sizes: boxes(count),
            edges,
        };
        assert_eq!(layout(&tree).crossings, 0);
        // The lecture's L = (a*b + c) * f, with an extra use of a: crossings stay 0.
        let lecture = LayoutInput {
            sizes: boxes(7),
            edges: vec![(0, 2), (1, 2), (2, 4), (3, 4), (4, 6), (5, 6), (0, 6)],
        };
        assert_eq!(layout(&lecture).crossings, 0);
    }

    #[test]
    fn the_same_input_gives_the_same_layout() {
        let first = layout(&random_dag(200, 3));
        let second = layout(&random_dag(200, 3));
        assert_eq!(first.centers, second.centers);
        assert_eq!(first.routes, second.routes);
    }

    #[test]
    fn crossings_are_counted() {
        // Layer 0: [0, 1], layer 1: [2, 3]; 0 -> 3, 1 -> 2 cross once.
        let down = vec![vec![3], vec![2], vec![], vec![]];
        let position = vec![0, 1, 0, 1];
        assert_eq!(crossings(&[vec![0, 1], vec![2, 3]], &down, &position), 1);
    }
}
