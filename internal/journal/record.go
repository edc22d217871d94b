// Package journal is hanavault's undo log: an append-only JSON-lines file
// per landscape, fsync'd per record, guarded by an exclusive file lock.
package journal

import (
	"encoding/json"
	"time"
)

// Kind is the type of a journal record.
type Kind string

const (
	KindRunStart Kind = "run-start" // Detail: apply | destroy; Landscape holds the spec (JSON)
	KindRunEnd   Kind = "run-end"   // Detail: ok | failed | interrupted
	KindIntent   Kind = "intent"    // written (and fsync'd) before a mutating call
	KindDone     Kind = "done"      // written after the call succeeded; ID holds the ARN/ID
	KindFailed   Kind = "failed"    // the call failed; Error holds why
)

// Record is one line of the journal.
type Record struct {
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	Run  string    `json:"run"`
	Kind Kind      `json:"kind"`

	Step     string `json:"step,omitempty"`     // step ID, e.g. source/bucket/policy
	Region   string `json:"region,omitempty"`   // AWS region or "global"
	Op       string `json:"op,omitempty"`       // service:Operation, e.g. s3:PutBucketPolicy
	Resource string `json:"resource,omitempty"` // bucket name, alias, role name, key ID
	ID       string `json:"id,omitempty"`       // ARN or ID the call returned (done)

	// PreExisting marks a resource hanavault found and did not create.
	// Destroy keeps such resources and restores their prior settings.
	PreExisting bool `json:"preExisting,omitempty"`
	// Prior is the setting's value before this change, as the step encodes
	// it; PriorAbsent says the setting did not exist before. Either is set
	// only on intent records of changes to pre-existing resources.
	Prior       json.RawMessage `json:"prior,omitempty"`
	PriorAbsent bool            `json:"priorAbsent,omitempty"`

	Error     string          `json:"error,omitempty"`
	Detail    string          `json:"detail,omitempty"`
	Landscape json.RawMessage `json:"landscape,omitempty"`
	// Account is the AWS account the run worked in (run-start records):
	// a journal proves what was created in that account only.
	Account string `json:"account,omitempty"`
}
