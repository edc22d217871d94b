package steps_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/memaws"
	"github.com/hanavault/hanavault/internal/steps"
)

// freshApply applies a new landscape to a new in-memory account whose
// every call takes latency (real time), and returns the wall time.
func freshApply(b *testing.B, concurrency int, latency time.Duration) (time.Duration, *steps.Result) {
	b.Helper()
	acct := memaws.New(memaws.Options{Latency: latency, HomeRegion: "eu-central-1"})
	eng := steps.New(steps.Options{Account: acct, StateDir: b.TempDir(), Concurrency: concurrency, HomeRegion: "eu-central-1"})
	l := benchLandscape()
	start := time.Now()
	res, err := eng.Apply(context.Background(), l, steps.SinkFunc(func(steps.Event) {}))
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(start), res
}

// BenchmarkFreshApply50ms measures a fresh apply when every AWS call takes
// 50 ms: wall time per apply, the speed-up over running one step at a
// time, the mutating calls, and the round-trip depth (the longest chain of
// calls that must run one after another).
//
//	go test -run '^$' -bench FreshApply -benchtime 1x ./internal/steps
func BenchmarkFreshApply50ms(b *testing.B) {
	const latency = 50 * time.Millisecond
	serial, _ := freshApply(b, 1, latency)
	for _, c := range []int{1, 4, 8, 16} {
		b.Run(fmt.Sprintf("concurrency-%d", c), func(b *testing.B) {
			var total time.Duration
			var res *steps.Result
			for i := 0; i < b.N; i++ {
				var d time.Duration
				d, res = freshApply(b, c, latency)
				total += d
			}
			per := total / time.Duration(b.N)
			b.ReportMetric(float64(per.Milliseconds()), "ms/apply")
			b.ReportMetric(float64(serial)/float64(per), "x-vs-concurrency-1")
			b.ReportMetric(float64(res.MutatingCalls), "mutating-calls")
			b.ReportMetric(float64(res.CriticalPathCalls), "depth-calls")
			b.ReportMetric(float64(res.WriteChainCalls), "write-chain")
			b.ReportMetric(float64(per)/float64(latency), "rtt")
			b.ReportMetric(float64(per)/float64(latency)/float64(res.WriteChainCalls+2), "rtt-per-(chain+2)")
		})
	}
}
