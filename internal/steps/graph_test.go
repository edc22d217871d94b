package steps

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunGraphRespectsDependenciesAndLimit(t *testing.T) {
	// A diamond per lane, 6 lanes: a_i → {b_i, c_i} → d_i.
	var nodes []node
	for i := 0; i < 6; i++ {
		a, b, c, d := fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i), fmt.Sprintf("c%d", i), fmt.Sprintf("d%d", i)
		nodes = append(nodes, node{id: a}, node{id: b, deps: []string{a}}, node{id: c, deps: []string{a}}, node{id: d, deps: []string{b, c}})
	}
	var mu sync.Mutex
	finished := map[string]bool{}
	var running, peak atomic.Int32
	deps := map[string][]string{}
	for _, n := range nodes {
		deps[n.id] = n.deps
	}
	res, err := runGraph(context.Background(), nodes, 3, func(id string) error {
		mu.Lock()
		for _, d := range deps[id] {
			if !finished[d] {
				t.Errorf("%s started before its dependency %s finished", id, d)
			}
		}
		mu.Unlock()
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		running.Add(-1)
		mu.Lock()
		finished[id] = true
		mu.Unlock()
		return nil
	}, func(string, string) { t.Error("nothing should be skipped") })
	if err != nil {
		t.Fatal(err)
	}
	if len(finished) != len(nodes) {
		t.Fatalf("ran %d of %d nodes", len(finished), len(nodes))
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Fatalf("peak concurrency %d, want 2..3 with limit 3", p)
	}
	for _, n := range nodes {
		if res.outcomes[n.id] != outcomeDone {
			t.Fatalf("%s outcome %v", n.id, res.outcomes[n.id])
		}
	}
}

func TestRunGraphLocksSerialise(t *testing.T) {
	var nodes []node
	for i := 0; i < 8; i++ {
		nodes = append(nodes, node{id: fmt.Sprintf("n%d", i), lock: "bucket"})
	}
	var running atomic.Int32
	_, err := runGraph(context.Background(), nodes, 8, func(id string) error {
		if running.Add(1) > 1 {
			t.Errorf("two nodes with the same lock ran at once")
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
		return nil
	}, func(string, string) {})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunGraphSkipsDependentsOfFailures(t *testing.T) {
	nodes := []node{{id: "a"}, {id: "b", deps: []string{"a"}}, {id: "c", deps: []string{"b"}}, {id: "x"}}
	skipped := map[string]string{}
	var mu sync.Mutex
	res, err := runGraph(context.Background(), nodes, 2, func(id string) error {
		if id == "a" {
			return errors.New("boom")
		}
		return nil
	}, func(id, reason string) {
		mu.Lock()
		skipped[id] = reason
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.outcomes["a"] != outcomeFailed || res.outcomes["x"] != outcomeDone {
		t.Fatalf("outcomes %v", res.outcomes)
	}
	if res.outcomes["b"] != outcomeSkipped || res.outcomes["c"] != outcomeSkipped {
		t.Fatalf("dependents not skipped: %v", res.outcomes)
	}
	if skipped["b"] == "" || skipped["c"] == "" {
		t.Fatalf("skip reasons missing: %v", skipped)
	}
}

func TestRunGraphCancelStopsNewWorkButFinishesRunning(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	nodes := []node{{id: "a"}, {id: "b", deps: []string{"a"}}, {id: "c", deps: []string{"b"}}}
	var ran []string
	res, err := runGraph(ctx, nodes, 1, func(id string) error {
		ran = append(ran, id)
		if id == "a" {
			cancel() // interrupted while a is in flight: a completes, b never starts
		}
		return nil
	}, func(string, string) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 || ran[0] != "a" {
		t.Fatalf("ran %v, want only a", ran)
	}
	if res.outcomes["a"] != outcomeDone || res.outcomes["b"] != outcomeSkipped || res.outcomes["c"] != outcomeSkipped {
		t.Fatalf("outcomes %v", res.outcomes)
	}
}

func TestCheckGraphRejectsCyclesAndUnknownDeps(t *testing.T) {
	if _, err := checkGraph([]node{{id: "a", deps: []string{"b"}}, {id: "b", deps: []string{"a"}}}); err == nil {
		t.Fatal("cycle accepted")
	}
	if _, err := checkGraph([]node{{id: "a", deps: []string{"zz"}}}); err == nil {
		t.Fatal("unknown dependency accepted")
	}
}

func TestReverseGraphTurnsEdgesAround(t *testing.T) {
	rev := reverseGraph([]node{{id: "a"}, {id: "b", deps: []string{"a"}}}, map[string][]string{"b": {"x"}})
	got := map[string][]string{}
	for _, n := range rev {
		got[n.id] = n.deps
	}
	if fmt.Sprint(got["a"]) != "[b]" || fmt.Sprint(got["b"]) != "[x]" {
		t.Fatalf("reversed: %v", got)
	}
}

func TestRestrictGraphKeepsOrderThroughRemovedNodes(t *testing.T) {
	// c waits for b waits for a; keep only a and c: c must still wait for a.
	nodes := []node{{id: "a"}, {id: "b", deps: []string{"a"}}, {id: "c", deps: []string{"b"}}}
	out := restrictGraph(nodes, map[string]bool{"a": true, "c": true})
	if len(out) != 2 || out[1].id != "c" || fmt.Sprint(out[1].deps) != "[a]" {
		t.Fatalf("restricted: %+v", out)
	}
}
