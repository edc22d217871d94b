package memaws

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"github.com/hanavault/hanavault/internal/cloud"
)

// schemaVersion is the version of account.json. Bump it on incompatible
// changes; Open refuses files of other versions.
const schemaVersion = 1

// stateFile is the file name inside the directory given to Open;
// lockFile beside it is flock'd for the length of every call, so that
// processes sharing one sandbox take turns.
const (
	stateFile = "account.json"
	lockFile  = "account.json.lock"
)

var errNoState = errors.New("no saved account")

// state is everything the account remembers; it is what account.json holds.
type state struct {
	Schema int `json:"schema"`
	// Generation changes with every save; it stays the second field, so
	// that peekGeneration finds it in the file's first bytes and a process
	// can tell whether another one saved since it last loaded.
	Generation string `json:"generation,omitempty"`
	AccountID  string `json:"accountId"`
	Partition  string `json:"partition"`

	Roles            map[string]*role            `json:"roles"` // by lower-case name
	ManagedPolicies  map[string]*managedPolicy   `json:"managedPolicies"`
	InstanceProfiles map[string]*instanceProfile `json:"instanceProfiles"` // by lower-case name

	Keys    map[string]*kmsKey              `json:"keys"`    // by key ID
	Aliases map[string]map[string]*kmsAlias `json:"aliases"` // region → alias name → alias

	Buckets        map[string]*bucket `json:"buckets"`
	ForeignBuckets map[string]string  `json:"foreignBuckets"` // name → region

	Pending   []*pendingReplication `json:"pendingReplications"`
	LogBuffer []*logRecord          `json:"logBuffer"`

	// Seq orders object versions and uploads.
	Seq int64 `json:"seq"`
}

type role struct {
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	ID          string            `json:"id"`
	Description string            `json:"description,omitempty"`
	Trust       string            `json:"trust"` // plain JSON
	Created     time.Time         `json:"created"`
	Tags        []cloud.Tag       `json:"tags,omitempty"`
	Inline      map[string]string `json:"inline,omitempty"` // name → plain JSON
	Attached    []string          `json:"attached,omitempty"`
	Boundary    string            `json:"boundary,omitempty"` // permissions boundary policy ARN
}

type managedPolicy struct {
	Name     string `json:"name"`
	Arn      string `json:"arn"`
	Document string `json:"document"`
}

type instanceProfile struct {
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Roles   []string  `json:"roles,omitempty"` // role names
}

type kmsKey struct {
	ID           string      `json:"id"`
	Region       string      `json:"region"`
	Description  string      `json:"description,omitempty"`
	Manager      string      `json:"manager"` // CUSTOMER | AWS
	Spec         string      `json:"spec"`
	Usage        string      `json:"usage"`
	State        string      `json:"state"`
	Policy       string      `json:"policy"`
	Rotation     bool        `json:"rotation"`
	Created      time.Time   `json:"created"`
	DeletionDate time.Time   `json:"deletionDate,omitzero"`
	Tags         []cloud.Tag `json:"tags,omitempty"`
	Grants       []kmsGrant  `json:"grants,omitempty"`
}

// kmsGrant is a grant on a key (KMS developer guide, grants).
type kmsGrant struct {
	ID         string    `json:"id"`
	Name       string    `json:"name,omitempty"`
	Grantee    string    `json:"grantee"`
	Operations []string  `json:"operations"`
	Created    time.Time `json:"created"`
}

type kmsAlias struct {
	Name    string    `json:"name"`
	KeyID   string    `json:"keyId"`
	Created time.Time `json:"created"`
}

type bucket struct {
	Name     string    `json:"name"`
	Region   string    `json:"region"`
	Location string    `json:"location"` // raw LocationConstraint ("" for us-east-1, "EU")
	Created  time.Time `json:"created"`

	Versioning  string                              `json:"versioning,omitempty"`
	Encryption  cloud.ServerSideEncryptionByDefault `json:"encryption"`
	PAB         *cloud.PublicAccessBlock            `json:"publicAccessBlock,omitempty"`
	Ownership   string                              `json:"ownership,omitempty"`
	Policy      string                              `json:"policy,omitempty"`
	Lifecycle   *cloud.LifecycleConfiguration       `json:"lifecycle,omitempty"`
	Logging     *cloud.LoggingEnabled               `json:"logging,omitempty"`
	Tags        []cloud.Tag                         `json:"tags,omitempty"`
	Replication *cloud.ReplicationConfiguration     `json:"replication,omitempty"`

	// Objects holds every version of every key, oldest first.
	Objects map[string][]*objVersion `json:"objects,omitempty"`
	Uploads map[string]*upload       `json:"uploads,omitempty"` // by upload ID
	// sortedKeys caches the keys of Objects in order (nil: recompute).
	sortedKeys []string
}

// keysSorted returns the bucket's keys in order, cached until a key is
// added or removed.
func (b *bucket) keysSorted() []string {
	if b.sortedKeys == nil {
		b.sortedKeys = make([]string, 0, len(b.Objects))
		for k := range b.Objects {
			b.sortedKeys = append(b.sortedKeys, k)
		}
		sort.Strings(b.sortedKeys)
	}
	return b.sortedKeys
}

type objVersion struct {
	VersionID    string    `json:"versionId"`
	Seq          int64     `json:"seq"`
	DeleteMarker bool      `json:"deleteMarker,omitempty"`
	Body         []byte    `json:"body,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified time.Time `json:"lastModified"`
	SSE          string    `json:"sse,omitempty"` // AES256 | aws:kms
	SSEC         bool      `json:"ssec,omitempty"`
	KeyArn       string    `json:"keyArn,omitempty"`
	BucketKey    bool      `json:"bucketKey,omitempty"`
	StorageClass string    `json:"storageClass,omitempty"`
	Replication  string    `json:"replication,omitempty"` // PENDING | COMPLETED | FAILED | REPLICA
	// Restore is the restore of an archived version (nil: none requested).
	Restore *restoreState `json:"restore,omitempty"`
}

type upload struct {
	ID        string          `json:"id"`
	Key       string          `json:"key"`
	Seq       int64           `json:"seq"`
	Initiated time.Time       `json:"initiated"`
	SSE       string          `json:"sse,omitempty"`
	KeyArn    string          `json:"keyArn,omitempty"`
	BucketKey bool            `json:"bucketKey,omitempty"`
	Parts     map[int32]*part `json:"parts,omitempty"`
}

type part struct {
	ETag string `json:"etag"`
	Body []byte `json:"body,omitempty"`
}

// pendingReplication is one object version (or delete marker) waiting to
// be replicated, with the rule and role that applied when it was written.
type pendingReplication struct {
	Bucket    string                `json:"bucket"`
	Key       string                `json:"key"`
	VersionID string                `json:"versionId"`
	Due       time.Time             `json:"due"`
	Role      string                `json:"role"`
	Rule      cloud.ReplicationRule `json:"rule"`
	Marker    bool                  `json:"marker,omitempty"`
}

// logRecord is one buffered server access-log line.
type logRecord struct {
	Source  string               `json:"source"`
	Region  string               `json:"region"`
	Target  cloud.LoggingEnabled `json:"target"`
	Time    time.Time            `json:"time"`
	Line    string               `json:"line"`
	Created time.Time            `json:"created"`
}

func newState(account, partition string) *state {
	st := &state{Schema: schemaVersion, AccountID: account, Partition: partition}
	st.ensureMaps()
	return st
}

func (st *state) ensureMaps() {
	if st.Roles == nil {
		st.Roles = map[string]*role{}
	}
	if st.ManagedPolicies == nil {
		st.ManagedPolicies = map[string]*managedPolicy{}
	}
	if st.InstanceProfiles == nil {
		st.InstanceProfiles = map[string]*instanceProfile{}
	}
	if st.Keys == nil {
		st.Keys = map[string]*kmsKey{}
	}
	if st.Aliases == nil {
		st.Aliases = map[string]map[string]*kmsAlias{}
	}
	if st.Buckets == nil {
		st.Buckets = map[string]*bucket{}
	}
	if st.ForeignBuckets == nil {
		st.ForeignBuckets = map[string]string{}
	}
	for _, b := range st.Buckets {
		if b.Objects == nil {
			b.Objects = map[string][]*objVersion{}
		}
		if b.Uploads == nil {
			b.Uploads = map[string]*upload{}
		}
	}
}

// nextSeq returns a fresh sequence number.
func (st *state) nextSeq() int64 {
	st.Seq++
	return st.Seq
}

func loadState(dir string) (*state, error) {
	path := filepath.Join(dir, stateFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoState
	}
	if err != nil {
		return nil, fmt.Errorf("read sandbox account %s: %w", path, err)
	}
	var probe struct {
		Schema int `json:"schema"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("read sandbox account %s: %w", path, err)
	}
	if probe.Schema != schemaVersion {
		return nil, fmt.Errorf("read sandbox account %s: schema version %d, this build reads %d", path, probe.Schema, schemaVersion)
	}
	st := &state{}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, fmt.Errorf("read sandbox account %s: %w", path, err)
	}
	if st.AccountID == "" || st.Partition == "" {
		return nil, fmt.Errorf("read sandbox account %s: no account ID or partition", path)
	}
	st.ensureMaps()
	return st, nil
}

// lockShared takes the cross-process lock of a persisted account and
// reloads account.json when another process saved it since this one last
// loaded or saved it; the returned function releases the lock. Waiting for
// the lock honours ctx. Caller holds mu.
func (w *world) lockShared(ctx context.Context) (func(), error) {
	if w.dir == "" {
		return func() {}, nil
	}
	if w.flock == nil {
		if err := os.MkdirAll(w.dir, 0o700); err != nil {
			return nil, fmt.Errorf("lock sandbox account in %s: %w", w.dir, err)
		}
		w.flock = flock.New(filepath.Join(w.dir, lockFile))
	}
	ok, err := w.flock.TryLockContext(ctx, 2*time.Millisecond)
	if err == nil && !ok {
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("lock sandbox account in %s: %w", w.dir, err)
	}
	unlock := func() { _ = w.flock.Unlock() }
	if w.st == nil || peekGeneration(w.dir) != w.st.Generation {
		st, err := loadState(w.dir)
		switch {
		case err == nil:
			w.st, w.dirty = st, false
		case errors.Is(err, errNoState) && w.st != nil:
			// Removed behind our back: the next save writes it again.
		default:
			unlock()
			return nil, err
		}
	}
	return unlock, nil
}

// peekGeneration reads the generation of account.json from its first
// bytes (it is the second field) without parsing the whole file; "" when
// the file is missing or has none.
func peekGeneration(dir string) string {
	f, err := os.Open(filepath.Join(dir, stateFile))
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 128)
	n, _ := io.ReadFull(f, buf)
	const field = `"generation":"`
	head := string(buf[:n])
	i := strings.Index(head, field)
	if i < 0 {
		return ""
	}
	rest := head[i+len(field):]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return rest[:j]
}

// newGeneration returns a fresh random generation tag.
func newGeneration() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// saveIfDirty persists the state when a call changed it. Caller holds mu.
func (w *world) saveIfDirty() error {
	if !w.dirty {
		return nil
	}
	return w.save()
}

// save writes account.json atomically (temporary file, fsync, rename)
// under a new generation. Caller holds mu and, for a persisted account,
// the lock of lockShared.
func (w *world) save() error {
	w.dirty = false
	if w.dir == "" {
		return nil
	}
	path := filepath.Join(w.dir, stateFile)
	w.st.Generation = newGeneration()
	data, err := json.Marshal(w.st)
	if err != nil {
		return fmt.Errorf("save sandbox account %s: %w", path, err)
	}
	if err := os.MkdirAll(w.dir, 0o700); err != nil {
		return fmt.Errorf("save sandbox account %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(w.dir, stateFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("save sandbox account %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save sandbox account %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save sandbox account %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save sandbox account %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save sandbox account %s: %w", path, err)
	}
	if d, err := os.Open(w.dir); err == nil {
		_ = d.Sync() // best effort: make the rename durable
		d.Close()
	}
	return nil
}
