package sessionauth

import (
	"context"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2/memstore"
)

// memoryCleanupInterval is how often a memory store deletes expired sessions.
const memoryCleanupInterval = time.Minute

var _ indexedStore = (*memoryStore)(nil)

// memoryStore keeps the sessions of one replica in an scs memstore and the
// per-user index in a map. One mutex orders every write and Revoke, so a
// request that extends a session can't bring it back after a revoke.
//
// NOTE: scs v2.9.0's memstore cleanup goroutine races with its StopCleanup
// (the stop channel is assigned inside the goroutine), which go test -race
// reports. The memstore is therefore created without a cleanup goroutine,
// and this store runs its own, which deletes expired sessions through the
// index. Every session in the memstore is in the index, because only a
// login creates one.
type memoryStore struct {
	mem  *memstore.MemStore
	stop chan struct{}
	done sync.WaitGroup

	mu sync.Mutex
	// byUser maps a user to the expiry of each of their token hashes.
	byUser map[string]map[string]time.Time
	// userOf maps a token hash to its user.
	userOf map[string]string
}

// newMemoryStore returns a store that deletes expired sessions every
// cleanup until Close.
func newMemoryStore(cleanup time.Duration) *memoryStore {
	m := &memoryStore{
		mem:    memstore.NewWithCleanupInterval(0),
		stop:   make(chan struct{}),
		byUser: map[string]map[string]time.Time{},
		userOf: map[string]string{},
	}
	m.done.Add(1)
	go m.cleanupLoop(cleanup)
	return m
}

// Close stops the cleanup goroutine and waits for it to return.
func (m *memoryStore) Close() error {
	close(m.stop)
	m.done.Wait()
	return nil
}

func (m *memoryStore) cleanupLoop(every time.Duration) {
	defer m.done.Done()
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-m.stop:
			return
		case now := <-ticker.C:
			m.deleteExpired(now)
		}
	}
}

func (m *memoryStore) deleteExpired(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for token, user := range m.userOf {
		if !m.byUser[user][token].After(now) {
			m.deleteLocked(token)
		}
	}
}

// FindCtx returns the data of an unexpired session.
func (m *memoryStore) FindCtx(_ context.Context, token string) ([]byte, bool, error) {
	return m.mem.Find(token)
}

// CommitCtx stores a new session of the user in ctx, or extends an existing
// one when ctx has no user. See indexedStore.
func (m *memoryStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	user := sessionUser(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	if user == "" {
		if _, found, _ := m.mem.Find(token); !found {
			return errSessionEnded
		}
		if owner, ok := m.userOf[token]; ok {
			m.byUser[owner][token] = expiry
		}
		return m.mem.Commit(token, b, expiry)
	}
	if m.byUser[user] == nil {
		m.byUser[user] = map[string]time.Time{}
	}
	m.byUser[user][token] = expiry
	m.userOf[token] = user
	return m.mem.Commit(token, b, expiry)
}

// DeleteCtx deletes a session and its index entry.
func (m *memoryStore) DeleteCtx(_ context.Context, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.deleteLocked(token)
	return nil
}

func (m *memoryStore) deleteLocked(token string) {
	_ = m.mem.Delete(token) // memstore.Delete always returns nil
	user, ok := m.userOf[token]
	if !ok {
		return
	}
	delete(m.userOf, token)
	delete(m.byUser[user], token)
	if len(m.byUser[user]) == 0 {
		delete(m.byUser, user)
	}
}

// Revoke deletes every session of user on this replica and returns how many
// had not expired. Sessions of the user on other replicas are out of reach.
func (m *memoryStore) Revoke(_ context.Context, user string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	count := 0
	for token, expiry := range m.byUser[user] {
		if expiry.After(now) {
			count++
		}
		m.deleteLocked(token)
	}
	return count, nil
}

// Find, Commit and Delete complete scs.Store. scs calls only the Ctx
// methods of a store that has them.
func (m *memoryStore) Find(token string) ([]byte, bool, error) {
	return m.FindCtx(context.Background(), token)
}

func (m *memoryStore) Commit(token string, b []byte, expiry time.Time) error {
	return m.CommitCtx(context.Background(), token, b, expiry)
}

func (m *memoryStore) Delete(token string) error {
	return m.DeleteCtx(context.Background(), token)
}
