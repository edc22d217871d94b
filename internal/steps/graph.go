package steps

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// node is one unit of work in a dependency graph run.
type node struct {
	id   string
	deps []string
	lock string // nodes sharing a lock never run at the same time ("" = none)
}

// outcome is how a node ended.
type outcome int

const (
	outcomeDone outcome = iota
	outcomeFailed
	outcomeSkipped
)

// graphResult reports how every node ended.
type graphResult struct {
	outcomes map[string]outcome
	errs     map[string]error
}

// checkGraph verifies that every dependency exists and that there is no
// cycle; it returns the nodes in a topological order.
func checkGraph(nodes []node) ([]string, error) {
	byID := map[string]node{}
	for _, n := range nodes {
		if _, dup := byID[n.id]; dup {
			return nil, fmt.Errorf("step %s declared twice", n.id)
		}
		byID[n.id] = n
	}
	for _, n := range nodes {
		for _, d := range n.deps {
			if _, ok := byID[d]; !ok {
				return nil, fmt.Errorf("step %s depends on unknown step %s", n.id, d)
			}
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var order []string
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		switch color[id] {
		case grey:
			return fmt.Errorf("dependency cycle: %v", append(path, id))
		case black:
			return nil
		}
		color[id] = grey
		deps := append([]string(nil), byID[id].deps...)
		sort.Strings(deps)
		for _, d := range deps {
			if err := visit(d, append(path, id)); err != nil {
				return err
			}
		}
		color[id] = black
		order = append(order, id)
		return nil
	}
	ids := make([]string, 0, len(nodes))
	for _, n := range nodes {
		ids = append(ids, n.id)
	}
	for _, id := range ids {
		if err := visit(id, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// reverseGraph returns the graph with every edge turned around: a node now
// waits for every node that depended on it. Extra edges (from → to meaning
// "from waits for to") are added afterwards.
func reverseGraph(nodes []node, extra map[string][]string) []node {
	rev := map[string][]string{}
	for _, n := range nodes {
		for _, d := range n.deps {
			rev[d] = append(rev[d], n.id)
		}
	}
	out := make([]node, 0, len(nodes))
	for _, n := range nodes {
		deps := append([]string(nil), rev[n.id]...)
		deps = append(deps, extra[n.id]...)
		sort.Strings(deps)
		out = append(out, node{id: n.id, deps: dedupe(deps), lock: n.lock})
	}
	return out
}

func dedupe(xs []string) []string {
	if len(xs) < 2 {
		return xs
	}
	out := xs[:1]
	for _, x := range xs[1:] {
		if x != out[len(out)-1] {
			out = append(out, x)
		}
	}
	return out
}

// runGraph runs fn for every node once all its dependencies are done, at
// most limit at a time, never two nodes with the same lock at once. A node
// whose dependency failed or was skipped is skipped (skip is called with
// the reason). Once ctx is cancelled no new node starts; nodes already
// running finish. Scheduling is deterministic for limit 1: ready nodes start
// in topological order.
func runGraph(ctx context.Context, nodes []node, limit int, fn func(id string) error, skip func(id, reason string)) (graphResult, error) {
	order, err := checkGraph(nodes)
	if err != nil {
		return graphResult{}, err
	}
	if limit < 1 {
		limit = 1
	}
	rank := map[string]int{}
	for i, id := range order {
		rank[id] = i
	}
	byID := map[string]node{}
	dependents := map[string][]string{}
	waiting := map[string]int{}
	for _, n := range nodes {
		byID[n.id] = n
		waiting[n.id] = len(n.deps)
		for _, d := range n.deps {
			dependents[d] = append(dependents[d], n.id)
		}
	}

	res := graphResult{outcomes: map[string]outcome{}, errs: map[string]error{}}
	var (
		mu      sync.Mutex
		cond    = sync.NewCond(&mu)
		ready   []string
		running int
		locks   = map[string]bool{}
		left    = len(nodes)
	)
	for _, n := range nodes {
		if waiting[n.id] == 0 {
			ready = append(ready, n.id)
		}
	}

	// settle marks id final and releases or skips its dependents. mu held.
	var settle func(id string, o outcome, reason string)
	settle = func(id string, o outcome, reason string) {
		res.outcomes[id] = o
		left--
		for _, d := range dependents[id] {
			if _, final := res.outcomes[d]; final {
				continue
			}
			if o != outcomeDone {
				why := fmt.Sprintf("depends on %s, which did not complete", id)
				if o == outcomeSkipped && reason != "" {
					why = reason
				}
				skip(d, why)
				settle(d, outcomeSkipped, why)
				continue
			}
			waiting[d]--
			if waiting[d] == 0 {
				ready = append(ready, d)
			}
		}
	}

	mu.Lock()
	for left > 0 {
		if ctx.Err() != nil {
			// Interrupted: nothing new starts; queued nodes are skipped.
			for _, id := range ready {
				if _, final := res.outcomes[id]; !final {
					skip(id, "interrupted")
					settle(id, outcomeSkipped, "interrupted")
				}
			}
			ready = nil
			if running == 0 {
				// Everything not yet reachable is skipped too.
				for _, id := range order {
					if _, final := res.outcomes[id]; !final {
						skip(id, "interrupted")
						settle(id, outcomeSkipped, "interrupted")
					}
				}
				break
			}
			cond.Wait()
			continue
		}
		sort.Slice(ready, func(i, j int) bool { return rank[ready[i]] < rank[ready[j]] })
		started := false
		for i := 0; i < len(ready) && running < limit; i++ {
			id := ready[i]
			l := byID[id].lock
			if l != "" && locks[l] {
				continue
			}
			ready = append(ready[:i], ready[i+1:]...)
			i--
			if l != "" {
				locks[l] = true
			}
			running++
			started = true
			go func(id, l string) {
				err := fn(id)
				mu.Lock()
				defer mu.Unlock()
				running--
				if l != "" {
					delete(locks, l)
				}
				if err != nil {
					res.errs[id] = err
					settle(id, outcomeFailed, "")
				} else {
					settle(id, outcomeDone, "")
				}
				cond.Broadcast()
			}(id, l)
		}
		if !started {
			if running == 0 && len(ready) == 0 && left > 0 {
				mu.Unlock()
				return res, fmt.Errorf("scheduler stalled with %d steps left", left)
			}
			cond.Wait()
		}
	}
	for running > 0 {
		cond.Wait()
	}
	mu.Unlock()
	return res, nil
}
