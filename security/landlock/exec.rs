// SPDX-License-Identifier: GPL-2.0-only

//! Landlock - Exec-time enforcement.
//!
//! A ruleset armed in a credential is merged into its domain and enforced by
//! the next `execve(2)`, past its point of no return.  Two slots per
//! credential: one filled by `landlock_restrict_self(2)` with
//! `LANDLOCK_RESTRICT_SELF_ON_EXEC` (one ruleset, which a new call replaces),
//! one filled by BPF LSM programs for the execution in progress (one layer per
//! arming).  Layers are stacked in a fixed order: the existing domain, then
//! the BPF layers in the order of the armings, then the user space layer.
//!
//! Arming freezes the policy: slots hold frozen copies of rulesets
//! (`landlock_freeze_ruleset()`), made when user space arms a ruleset or
//! hands it to BPF, or reused when no rule was added since the last copy.
//! Rules added to the original later do not apply, and executions merge a
//! shared copy without taking any lock.
//!
//! The merge can fail (memory, or past the maximum number of layers, which
//! fails the execution with `EPERM`): it is done by
//! [`landlock_exec_bprm_creds_from_file`], which can still fail the execution
//! cleanly, directly into the credentials of the execution (private until
//! they are committed); a BPF arming that failed fails the execution there.
//! [`landlock_exec_bprm_committing_creds`] then only releases the slots, sets
//! no_new_privs if a BPF arming asked for it and emits a trace event: it
//! cannot fail.  An armed ruleset is either enforced or the execution fails,
//! never silently dropped.
//!
//! Every function of this file runs with Landlock initialized: they are
//! called by its hooks, which `landlock_init()` registers, and by its system
//! calls past `is_initialized()`.
//!
//! C header: [`security/landlock/exec.h`](srctree/security/landlock/exec.h)

use core::{
    mem::ManuallyDrop,
    ptr::{self, NonNull},
};
use kernel::{
    bindings,
    error::{code::*, from_err_ptr, from_result, to_result},
    prelude::*,
    sync::aref::{ARef, AlwaysRefCounted},
    types::Opaque,
};

const ON_EXEC: u32 = bindings::LANDLOCK_RESTRICT_SELF_ON_EXEC;
const TSYNC: u32 = bindings::LANDLOCK_RESTRICT_SELF_TSYNC;
const NO_NEW_PRIVS: u32 = bindings::LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS;
const LOG_SUBDOMAINS_OFF: u32 = bindings::LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF;
const LOG_FLAGS: u32 = bindings::LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
    | bindings::LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
    | LOG_SUBDOMAINS_OFF;
/// Flags a BPF program may arm a ruleset with.
const BPF_FLAGS: u32 = NO_NEW_PRIVS | LOG_FLAGS;
// `struct landlock_exec_flags` keeps them in bytes.
const _: () = assert!(BPF_FLAGS <= u8::MAX as u32);

/// A Landlock ruleset (`struct landlock_ruleset`).
///
/// # Invariants
///
/// A `&Ruleset` always points to a ruleset with a non-zero reference count, so
/// it stays alive as long as the reference is.
#[repr(transparent)]
pub struct Ruleset(Opaque<bindings::landlock_ruleset>);

// SAFETY: The type invariants guarantee that `Ruleset` is always reference
// counted.  Both functions below are safe to call from any context but NMI:
// `landlock_put_ruleset_deferred()` frees the ruleset from a workqueue after
// an RCU grace period.
unsafe impl AlwaysRefCounted for Ruleset {
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the
        // reference count is non-zero.
        unsafe { bindings::landlock_exec_get_ruleset(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The safety requirements guarantee that the reference count
        // is non-zero, and `Ruleset` is a transparent wrapper.
        unsafe { bindings::landlock_put_ruleset_deferred(obj.cast().as_ptr()) };
    }
}

// SAFETY: A ruleset's reference count is atomic, and its rules are protected
// by its mutex or, for a frozen ruleset, never change after it is shared: it
// can be used and released from any thread.
unsafe impl Send for Ruleset {}
// SAFETY: See above: shared access from several threads goes through the
// atomic reference count, the ruleset's mutex, or immutable frozen rules.
unsafe impl Sync for Ruleset {}

impl Ruleset {
    /// Gets the ruleset that file descriptor `fd` of the calling thread
    /// refers to, which must be readable.
    fn from_fd(fd: i32) -> Result<ARef<Self>> {
        // SAFETY: No precondition: `fd` is looked up in the caller's table.
        let ptr = from_err_ptr(unsafe { bindings::landlock_exec_get_ruleset_from_fd(fd) })?;
        let ptr = NonNull::new(ptr).ok_or(EINVAL)?;
        // SAFETY: On success, the returned pointer is valid and owns a
        // reference, which is transferred to the new `ARef`.
        Ok(unsafe { ARef::from_raw(ptr.cast()) })
    }

    /// Returns an immutable copy of this ruleset as it is during the call:
    /// a new reference on it if it is already frozen, or on its last copy if
    /// no rule was added since, else a new copy.
    ///
    /// Fails with `ENOMEM`.  Takes the ruleset's mutex, and allocates when
    /// it makes a copy.
    fn freeze(&self) -> Result<ARef<Self>> {
        // SAFETY: `self` is kept alive by the borrow (type invariants) for
        // the whole call; the C function returns either an error or a frozen
        // ruleset with a reference for the caller.
        let ptr = from_err_ptr(unsafe { bindings::landlock_freeze_ruleset(self.as_ptr()) })?;
        let ptr = NonNull::new(ptr).ok_or(EINVAL)?;
        // SAFETY: On success, the returned pointer is valid and owns a
        // reference, which is transferred to the new `ARef`.
        Ok(unsafe { ARef::from_raw(ptr.cast()) })
    }

    /// Whether this ruleset is a frozen copy, which never changes.
    fn is_frozen(&self) -> bool {
        // SAFETY: `self` is live (type invariants).  `frozen` is set before a
        // frozen ruleset is shared and never changes afterwards; it is never
        // set on other rulesets.
        unsafe { (*self.as_ptr()).frozen }
    }

    /// Releases a reference from process context: unlike dropping the
    /// `ARef`, which defers the free to a workqueue (it can happen in any
    /// context), the last reference of a ruleset never shared with RCU
    /// readers frees it at once.  Can sleep.
    fn release(this: ARef<Self>) {
        kernel::task::might_sleep();
        let ptr = ARef::into_raw(this);
        // SAFETY: `ptr` owns the reference that `this` held, which is given
        // up here; the caller is in process context.
        unsafe { bindings::landlock_put_ruleset(ptr.as_ptr().cast()) };
    }

    /// Returns the raw pointer, for C calls.
    fn as_ptr(&self) -> *mut bindings::landlock_ruleset {
        self.0.get()
    }
}

/// A Landlock domain (`struct landlock_domain`).
///
/// # Invariants
///
/// A `&Domain` always points to a domain with a non-zero reference count.
#[repr(transparent)]
pub struct Domain(Opaque<bindings::landlock_domain>);

// SAFETY: The type invariants guarantee that `Domain` is always reference
// counted; the deferred put can be called from any context but NMI (it frees
// the domain from a workqueue).
unsafe impl AlwaysRefCounted for Domain {
    fn inc_ref(&self) {
        // SAFETY: The existence of a shared reference means that the
        // reference count is non-zero.
        unsafe { bindings::landlock_exec_get_domain(self.0.get()) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        // SAFETY: The safety requirements guarantee that the reference count
        // is non-zero, and `Domain` is a transparent wrapper.
        unsafe { bindings::landlock_put_domain_deferred(obj.cast().as_ptr()) };
    }
}

// SAFETY: A domain is immutable once created and its reference count is
// atomic.
unsafe impl Send for Domain {}
// SAFETY: See above.
unsafe impl Sync for Domain {}

impl Domain {
    /// Number of layers of this domain.
    fn num_layers(&self) -> u32 {
        // SAFETY: `self` is a live domain by the type invariants.
        unsafe { bindings::landlock_exec_domain_num_layers(self.0.get()) }
    }

    /// Whether no layer can be stacked on this domain.
    fn is_full(&self) -> bool {
        self.num_layers() >= bindings::LANDLOCK_MAX_NUM_LAYERS
    }

    /// Stacks the frozen `ruleset` on `parent`, as armed with `flags`.
    ///
    /// Fails with `ENOMEM`, or `E2BIG` if `parent` already has the maximum
    /// number of layers.  Allocates, but takes no lock: executions sharing
    /// a ruleset do not contend.  A copy of `details` is recorded as the
    /// creator of the new layer.
    fn merge(
        parent: Option<&Domain>,
        ruleset: &Ruleset,
        flags: u32,
        log_subdomains_off: bool,
        details: &ExecDetails,
    ) -> Result<ARef<Self>> {
        kernel::task::might_sleep();
        let parent = parent.map_or(ptr::null_mut(), |d| d.0.get());
        // SAFETY: `parent` is null or a domain kept alive by the `&Domain`
        // borrow, `ruleset` is kept alive by the `&Ruleset` borrow (type
        // invariants), and `details.0` is null or valid details owned by
        // `details` (type invariants), for the whole call.  The C function
        // copies what it keeps, and returns either an error or a new domain
        // with a reference for the caller.
        let ptr = from_err_ptr(unsafe {
            bindings::landlock_exec_merge(
                parent,
                ruleset.as_ptr(),
                flags,
                log_subdomains_off,
                details.0,
            )
        })?;
        let ptr = NonNull::new(ptr).ok_or(EINVAL)?;
        // SAFETY: On success, the returned pointer is valid and owns a
        // reference, which is transferred to the new `ARef`.
        Ok(unsafe { ARef::from_raw(ptr.cast()) })
    }
}

/// What an execution records as the creator of each layer it enforces
/// (for audit): the executed program, described once per execution.
///
/// # Invariants
///
/// `0` is null (no audit or trace logging) or points to details returned by
/// `landlock_exec_details()`, owned by this object.
struct ExecDetails(*mut bindings::landlock_details);

impl ExecDetails {
    /// Describes the program that `bprm` executes.  Fails with `ENOMEM`.
    fn of(bprm: &bindings::linux_binprm) -> Result<Self> {
        // SAFETY: `bprm` is a valid execution in progress for the whole call
        // (its borrow).
        let ptr = from_err_ptr(unsafe { bindings::landlock_exec_details(bprm) })?;
        // INVARIANT: `ptr` is null or owned details, transferred to `Self`.
        Ok(Self(ptr))
    }
}

impl Drop for ExecDetails {
    fn drop(&mut self) {
        // SAFETY: `self.0` is null or owned details (type invariants), freed
        // once, here.
        unsafe { bindings::landlock_exec_free_details(self.0) };
    }
}

/// Maximum number of layers of a domain.
const MAX_LAYERS: usize = bindings::LANDLOCK_MAX_NUM_LAYERS as usize;

/// A ruleset armed by a BPF program, and the flags it was armed with.
struct BpfLayer {
    ruleset: ARef<Ruleset>,
    flags: u32,
}

/// The rulesets BPF programs armed for one execution
/// (`struct landlock_exec_bpf_layers`, opaque to C).
///
/// # Invariants
///
/// The armed layers come first, in the order of the armings, and every
/// ruleset is frozen.
struct BpfLayers {
    layers: [Option<BpfLayer>; MAX_LAYERS],
}

impl BpfLayers {
    /// Allocates an empty set, without sleeping: BPF programs arm rulesets
    /// from non-sleepable contexts too.  Not charged to a memory cgroup: it
    /// is freed with the credentials of the execution.
    fn new() -> Result<KBox<Self>> {
        // INVARIANT: No layer is armed.
        Ok(KBox::new(
            Self {
                layers: [const { None }; MAX_LAYERS],
            },
            GFP_NOWAIT | __GFP_NOWARN,
        )?)
    }

    /// Adds a layer above the others.  Fails with `EPERM` when no domain
    /// could have that many layers.
    fn push(&mut self, ruleset: ARef<Ruleset>, flags: u32) -> Result {
        let free = self.layers.iter_mut().find(|l| l.is_none()).ok_or(EPERM)?;
        // INVARIANT: `free` is the first free entry, and `ruleset` is frozen
        // (documented requirement of `CredBlob::arm_bpf()`).
        *free = Some(BpfLayer { ruleset, flags });
        Ok(())
    }

    /// The armed layers, the first armed first.
    fn iter(&self) -> impl Iterator<Item = &BpfLayer> {
        self.layers.iter().map_while(Option::as_ref)
    }
}

/// Landlock's part of a credential security blob (`struct
/// landlock_cred_blob`).
///
/// # Invariants
///
/// - `sec.domain` is null or points to a domain on which the credential owns
///   a reference.
/// - `exec_slots.user` is null or points to a frozen ruleset on which the
///   credential owns a reference; `exec_flags.user` is 0 when it is null.
/// - `exec_slots.bpf` is null or comes from `KBox::<BpfLayers>::into_raw()`
///   and is owned by the credential.
/// - `exec_slots.bpf`, `exec_flags.bpf_error` and `exec_flags.prepared` are
///   only set in the credentials of an execution in progress.
#[repr(transparent)]
struct CredBlob(bindings::landlock_cred_blob);

impl CredBlob {
    /// Returns the blob of `cred`, for reading.
    ///
    /// # Safety
    ///
    /// Landlock must be initialized, and `cred` must be a valid credential
    /// that outlives `'a`, whose Landlock blob nobody writes during `'a`
    /// (committed credentials are immutable; credentials being set up are
    /// only written by their owner).
    unsafe fn of<'a>(cred: *const bindings::cred) -> &'a CredBlob {
        // SAFETY: The caller guarantees that Landlock is initialized and that
        // `cred` is valid: `ptr()` then points to Landlock's blob, which is
        // aligned and initialized (see there); `CredBlob` is a transparent
        // wrapper.
        unsafe { &*Self::ptr(cred) }
    }

    /// Returns a pointer to the blob of `cred`, as `landlock_cred_blob()`
    /// computes it.
    ///
    /// # Safety
    ///
    /// Landlock must be initialized (the caller is one of its hooks, or its
    /// system call past `is_initialized()`), and `cred` must be a valid
    /// credential.
    #[inline]
    unsafe fn ptr(cred: *const bindings::cred) -> *mut CredBlob {
        // `landlock_cred_blob()` is `container_of()` of `sec`, which is at the
        // start of the blob: the offset of `sec` is the offset of the blob.
        const _: () = assert!(core::mem::offset_of!(bindings::landlock_cred_blob, sec) == 0);
        // SAFETY: Once Landlock is initialized, `lsm_prepare()` has replaced
        // the size in `landlock_blob_sizes.lbs_cred` with the offset of
        // Landlock's blob in every credential's security blob: before any
        // credential got a blob (`init_cred`'s is allocated after it), and
        // never to be written again (`__ro_after_init`), so that a plain read
        // cannot race with a write.
        let offset = unsafe { bindings::landlock_blob_sizes.lbs_cred };
        // SAFETY: The caller guarantees that `cred` is valid.  Its security
        // blob is not NULL: Landlock registered a non-zero `lbs_cred`, so the
        // LSM framework allocates a blob for every credential with
        // `lsm_cred_alloc()` (the initial task's at boot, every other one
        // when it is prepared or allocated), and a credential whose blob
        // allocation failed is never handed out.  That blob holds
        // every LSM's part, sized by `lsm_blob_size_update()` as their sum:
        // Landlock's `struct landlock_cred_blob` lies wholly inside it, at
        // `offset`, so the addition stays in the allocation.  It is aligned
        // to a pointer (`lsm_blob_size_update()`) and zeroed at allocation
        // (an all-zero blob is a valid one: no domain, nothing armed).
        unsafe { (*cred).security.byte_add(offset as usize).cast() }
    }

    /// Returns the blob of `cred`, for writing.
    ///
    /// # Safety
    ///
    /// Landlock must be initialized, and `cred` must be a valid credential
    /// that outlives `'a` and that nobody else reads or writes during `'a`:
    /// one being prepared and not yet committed, or one being freed.
    unsafe fn of_mut<'a>(cred: *mut bindings::cred) -> &'a mut CredBlob {
        // SAFETY: As for `of()`, and the caller guarantees exclusive access.
        unsafe { &mut *Self::ptr(cred) }
    }

    /// Returns the blob of the current task's subjective credentials
    /// (`current_cred()`).
    ///
    /// # Safety
    ///
    /// Landlock must be initialized, and the current task must neither
    /// commit nor override its credentials during `'a`.
    unsafe fn of_current<'a>() -> &'a CredBlob {
        // SAFETY: The current task's subjective credentials are valid and
        // immutable (committed or overriding ones alike), and the caller
        // guarantees that they stay its credentials (and thus referenced)
        // during `'a`.
        unsafe { &*bindings::landlock_exec_current_cred_blob().cast::<CredBlob>() }
    }

    /// Returns the enforced domain, if any.
    fn domain(&self) -> Option<&Domain> {
        // `sec` is packed: read the field by value, never by reference.
        let ptr = self.0.sec.domain;
        // SAFETY: By the type invariants, the credential owns a reference on
        // this domain, which thus lives at least as long as `&self`.
        NonNull::new(ptr).map(|p| unsafe { p.cast::<Domain>().as_ref() })
    }

    /// Whether no layer can be stacked on the enforced domain.
    fn is_full(&self) -> bool {
        self.domain().is_some_and(|d| d.is_full())
    }

    #[cfg(CONFIG_SECURITY_LANDLOCK_LOG)]
    fn log_subdomains_off(&self) -> bool {
        self.0.sec.log_subdomains_off() != 0
    }

    #[cfg(not(CONFIG_SECURITY_LANDLOCK_LOG))]
    fn log_subdomains_off(&self) -> bool {
        false
    }

    /// Returns the ruleset armed by user space and its flags, if any.
    fn armed_user(&self) -> Option<(&Ruleset, u32)> {
        let ptr = NonNull::new(self.0.exec_slots.user)?;
        // SAFETY: By the type invariants, the credential owns a reference on
        // the ruleset, which thus lives at least as long as `&self`.
        let ruleset = unsafe { ptr.cast::<Ruleset>().as_ref() };
        Some((ruleset, self.0.exec_flags.user.into()))
    }

    /// Returns a new reference on the ruleset armed by user space and its
    /// flags, if any, for another credential to arm it.
    fn clone_armed_user(&self) -> Option<(ARef<Ruleset>, u32)> {
        self.armed_user().map(|(r, f)| (ARef::from(r), f))
    }

    /// Returns the rulesets armed by BPF programs, if any.
    fn bpf_layers(&self) -> Option<&BpfLayers> {
        let ptr = NonNull::new(self.0.exec_slots.bpf)?;
        // SAFETY: By the type invariants, the credential owns this
        // `BpfLayers`, which thus lives at least as long as `&self`.
        Some(unsafe { ptr.cast::<BpfLayers>().as_ref() })
    }

    /// Whether a BPF program armed a ruleset or failed to.
    fn is_armed_bpf(&self) -> bool {
        !self.0.exec_slots.bpf.is_null() || self.0.exec_flags.bpf_error != 0
    }

    /// Whether anything is armed for the next execution, by user space or
    /// by a BPF program (one that failed included).
    fn is_armed(&self) -> bool {
        self.armed_user().is_some() || self.is_armed_bpf()
    }

    /// Arms the frozen `ruleset` with `flags` in the user space slot (or
    /// empties the slot), and returns the previously armed ruleset, if any.
    /// Every caller passes a frozen ruleset: one from [`Ruleset::freeze`] or
    /// one already in a slot.
    ///
    /// Only the logging flags are kept: no_new_privs is set by the arming
    /// call.
    fn arm_user(&mut self, ruleset: Option<ARef<Ruleset>>, flags: u32) -> Option<ARef<Ruleset>> {
        let old = NonNull::new(self.0.exec_slots.user).map(|p| {
            // SAFETY: By the type invariants, the credential owns this
            // reference, which it hands over to the returned `ARef`.
            unsafe { ARef::from_raw(p.cast::<Ruleset>()) }
        });
        // INVARIANT: The credential takes over the reference owned by
        // `ruleset`, a frozen ruleset; the flags are cleared with the slot.
        self.0.exec_slots.user =
            ruleset.map_or(ptr::null_mut(), |r| ARef::into_raw(r).as_ptr().cast());
        // Cannot truncate: `LOG_FLAGS` fits in a byte (checked at the top).
        self.0.exec_flags.user = if self.0.exec_slots.user.is_null() {
            0
        } else {
            (flags & LOG_FLAGS) as u8
        };
        old
    }

    /// Adds the frozen `ruleset`, armed by a BPF program with `flags`, as a
    /// layer above those armed before for this execution.  The armed
    /// rulesets must be merged again (see [`prepare_exec`]).
    ///
    /// Fails with `ENOMEM`, or `EPERM` past the maximum number of layers.
    fn arm_bpf(&mut self, ruleset: ARef<Ruleset>, flags: u32) -> Result {
        if self.0.exec_slots.bpf.is_null() {
            // INVARIANT: The credential owns the new, empty `BpfLayers`.
            self.0.exec_slots.bpf = KBox::into_raw(BpfLayers::new()?).cast();
        }
        // SAFETY: By the type invariants, the credential owns this
        // `BpfLayers`, and `&mut self` gives exclusive access to it.
        let layers = unsafe { &mut *self.0.exec_slots.bpf.cast::<BpfLayers>() };
        layers.push(ruleset, flags)?;
        self.0.exec_flags.prepared = 0;
        Ok(())
    }

    /// Records the failure of a BPF arming, which fails the execution (the
    /// first error is kept).
    fn fail_bpf(&mut self, err: Error) {
        if self.0.exec_flags.bpf_error == 0 {
            // Errnos are small positive numbers (`ENOMEM`, `EINVAL`,
            // `EPERM`): `EINVAL` should one ever not fit.
            self.0.exec_flags.bpf_error =
                u8::try_from(-err.to_errno()).unwrap_or(bindings::EINVAL as u8);
        }
        self.0.exec_flags.prepared = 0;
    }

    /// The error recorded by [`CredBlob::fail_bpf`], if any.
    fn bpf_error(&self) -> Result {
        match self.0.exec_flags.bpf_error {
            0 => Ok(()),
            e => Err(Error::from_errno(-c_int::from(e))),
        }
    }

    /// Empties both slots and forgets any preparation, releasing the
    /// rulesets.
    #[inline]
    fn disarm_all(&mut self) {
        drop(self.arm_user(None, 0));
        let bpf = core::mem::replace(&mut self.0.exec_slots.bpf, ptr::null_mut());
        if !bpf.is_null() {
            // SAFETY: By the type invariants, the credential owned this
            // `BpfLayers`, whose pointer was just cleared.
            drop(unsafe { KBox::from_raw(bpf.cast::<BpfLayers>()) });
        }
        self.0.exec_flags.bpf_error = 0;
        self.0.exec_flags.prepared = 0;
    }

    /// Sets up the exec-time state of new credentials copied from `old`: the
    /// user space slot is inherited, with a new reference; the rest only
    /// exists during an execution and is not.
    #[inline]
    fn inherit(&mut self, old: &CredBlob) {
        // Only the credentials of an execution have these, and they are
        // never copied: they are committed or freed.
        kernel::warn_on!(old.is_armed_bpf() || old.0.exec_flags.prepared != 0);
        self.disarm_all();
        let (ruleset, flags) = old.clone_armed_user().unzip();
        drop(self.arm_user(ruleset, flags.unwrap_or(0)));
    }

    /// Enforces `domain`, built on the domain of `base`, in place of the
    /// domain of these credentials (that of `base`, or one built on it by
    /// an earlier merge), which is released, and marks the layers above
    /// `base`'s as enforced by the current execution.
    fn install(&mut self, domain: ARef<Domain>, base: &CredBlob, log_subdomains_off: bool) {
        let new_layers = domain.num_layers();
        let base_layers = base.domain().map_or(0, |d| d.num_layers());
        let old = self.0.sec.domain;
        // INVARIANT: The credential takes over the reference owned by
        // `domain`, and gives up its reference on `old`, released below.
        self.0.sec.domain = ARef::into_raw(domain).as_ptr().cast();
        // SAFETY: The credential owned a reference on a non-null `old`.
        drop(NonNull::new(old).map(|p| unsafe { ARef::from_raw(p.cast::<Domain>()) }));

        #[cfg(CONFIG_SECURITY_LANDLOCK_LOG)]
        {
            let domain_exec = self.0.sec.domain_exec;
            self.0.sec.domain_exec = domain_exec | exec_layer_bits(base_layers, new_layers);
            self.0.sec.set_log_subdomains_off(log_subdomains_off.into());
        }
        #[cfg(not(CONFIG_SECURITY_LANDLOCK_LOG))]
        let _ = (base_layers, new_layers, log_subdomains_off);
    }
}

/// Bit mask of the layers `old_layers..new_layers`, for
/// `landlock_cred_security.domain_exec`.
fn exec_layer_bits(old_layers: u32, new_layers: u32) -> u16 {
    let mask = |n: u32| -> u16 { 1u16.checked_shl(n).map_or(u16::MAX, |b| b - 1) };
    mask(new_layers) & !mask(old_layers)
}

/// Credentials being prepared for the current task, not yet committed.
///
/// # Invariants
///
/// `ptr` was returned by `prepare_creds()` and is owned by this object, which
/// commits or aborts it.  Until [`NewCred::share_with_siblings`], nobody
/// else accesses it; afterwards, sibling threads may hold references to it,
/// and it is only committed or aborted.
struct NewCred {
    ptr: NonNull<bindings::cred>,
}

impl NewCred {
    /// Copies the current task's credentials.
    fn prepare() -> Result<Self> {
        // SAFETY: Always safe to call from task context.
        let ptr = NonNull::new(unsafe { bindings::prepare_creds() }).ok_or(ENOMEM)?;
        // INVARIANT: `ptr` comes from `prepare_creds()`.
        Ok(Self { ptr })
    }

    /// Must not be called after [`NewCred::share_with_siblings`].
    fn blob(&mut self) -> &mut CredBlob {
        // SAFETY: By the type invariants, nobody else has access to these
        // credentials before they are shared, and they are not shared yet
        // (documented requirement).
        // Landlock is initialized (see the module documentation).
        unsafe { CredBlob::of_mut(self.ptr.as_ptr()) }
    }

    /// Arms (or disarms) every sibling thread with the user space slot of
    /// these credentials, all or nothing: `ON_EXEC` with `TSYNC`.  Then
    /// these credentials may only be committed or aborted.
    fn share_with_siblings(&self, flags: u32) -> Result {
        // SAFETY: `self.ptr` holds credentials prepared for the current task
        // and not committed yet.  Sibling threads may take their own
        // references to them (as for an immediate enforcement with TSYNC),
        // which leaves ours to commit or abort.  On error, no other thread
        // changed.
        to_result(unsafe { bindings::landlock_exec_restrict_siblings(self.ptr.as_ptr(), flags) })
    }

    /// Installs these credentials on the current task.
    fn commit(self) {
        // `commit_creds()` takes the credentials over: they must not be
        // aborted by `Drop` as well.
        let this = ManuallyDrop::new(self);
        // SAFETY: By the type invariants, `this.ptr` comes from
        // `prepare_creds()` and is owned here, not committed nor aborted yet.
        // `commit_creds()` takes it over (and cannot fail); `this` is never
        // dropped, so `Drop` does not abort what `commit_creds()` now owns.
        unsafe { bindings::commit_creds(this.ptr.as_ptr()) };
    }
}

impl Drop for NewCred {
    fn drop(&mut self) {
        // SAFETY: By the type invariants, the credentials were neither
        // committed nor aborted yet.
        unsafe { bindings::abort_creds(self.ptr.as_ptr()) };
    }
}

/// What a `landlock_restrict_self(2)` call with `ON_EXEC` asks for.
#[derive(Debug, PartialEq, Eq)]
enum Request {
    /// Arm the ruleset of this file descriptor.
    Arm(i32),
    /// Disarm.
    Clear,
}

/// Validates the flag combination of an `ON_EXEC` call.  The flags are
/// already known to be valid individually.
fn parse_request(ruleset_fd: i32, flags: u32) -> Result<Request> {
    if flags & ON_EXEC == 0 {
        return Err(EINVAL);
    }
    if ruleset_fd == -1 {
        // Only a disarm, of this thread or of all of them: no domain will be
        // created, so no other flag has a meaning.
        if flags & !TSYNC != ON_EXEC {
            return Err(EINVAL);
        }
        return Ok(Request::Clear);
    }
    Ok(Request::Arm(ruleset_fd))
}

/// Whether the current task may arm (or disarm) a ruleset.
///
/// As for an immediate enforcement, and for the same reason (an unprivileged
/// task must not change how a privileged program it executes behaves), the
/// task must run with no_new_privs or have `CAP_SYS_ADMIN` in its namespace,
/// unless it asks for no_new_privs with `LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS`.
fn may_arm(flags: u32) -> bool {
    flags & NO_NEW_PRIVS != 0
        // SAFETY: Only reads the current task's state.
        || unsafe { bindings::landlock_exec_current_no_new_privs() }
        // SAFETY: Only reads the current task's credentials.
        || unsafe { bindings::landlock_exec_current_sys_admin() }
}

fn restrict_self(ruleset_fd: i32, flags: u32) -> Result {
    let request = parse_request(ruleset_fd, flags)?;
    if !may_arm(flags) {
        return Err(EPERM);
    }
    let ruleset = match request {
        Request::Arm(fd) => {
            let source = Ruleset::from_fd(fd)?;
            // Refuses what no execution could enforce, as an immediate
            // enforcement does.  Layers added after arming still make the
            // execution fail.
            // SAFETY: The current task neither commits nor overrides
            // credentials before the end of this statement.
            // Landlock is initialized (see the module documentation).
            let full = unsafe { CredBlob::of_current() }.is_full();
            // Arming freezes the policy: the execution enforces the ruleset
            // as it is now, whatever is added to it later.
            let frozen = if full { Err(E2BIG) } else { source.freeze() };
            // The source is released here, in process context, on every
            // path: its last reference frees it at once.
            Ruleset::release(source);
            Some(frozen?)
        }
        Request::Clear => None,
    };
    let mut new = NewCred::prepare()?;
    let old = new.blob().arm_user(ruleset, flags);
    if flags & TSYNC != 0 {
        // On error, `new` is aborted when dropped.
        new.share_with_siblings(flags)?;
    }
    // Past the last point of failure: sets no_new_privs if and only if the
    // call succeeds, as for an immediate enforcement.
    if flags & NO_NEW_PRIVS != 0 {
        // SAFETY: Only sets a flag of the current task.
        unsafe { bindings::landlock_exec_current_set_no_new_privs() };
    }
    new.commit();
    drop(old);
    Ok(())
}

/// Arms a ruleset for the next execution: `landlock_restrict_self(2)` with
/// `LANDLOCK_RESTRICT_SELF_ON_EXEC`, in the calling thread or, with
/// `LANDLOCK_RESTRICT_SELF_TSYNC`, in every thread of the process.  What is
/// armed is a frozen copy of the ruleset, as it is at the call.
///
/// Returns 0, or `-EINVAL` (`ruleset_fd` is -1 with another flag than
/// `ON_EXEC` and `TSYNC`), `-EPERM` (see [`may_arm`], or `ruleset_fd` is not
/// readable), `-E2BIG` (the calling thread already enforces the maximum
/// number of layers), `-EBADF`, `-EBADFD` or `-ENOMEM`.  On error, nothing
/// changes.
///
/// # Safety
///
/// Must be called from the `landlock_restrict_self(2)` system call, after its
/// flags have been checked against the known ones.
#[export]
pub unsafe extern "C" fn landlock_exec_restrict_self(ruleset_fd: c_int, flags: u32) -> c_int {
    from_result(|| restrict_self(ruleset_fd, flags).map(|()| 0))
}

/// `cred_prepare` and `cred_transfer` hooks: `new` inherits the user space
/// slot of `old`.
///
/// # Safety
///
/// `old` must be a valid credential, and `new` a credential being set up by
/// the caller, with an all-zero Landlock exec state or a valid one.
#[export]
pub unsafe extern "C" fn landlock_exec_cred_transfer(
    new: *mut bindings::cred,
    old: *const bindings::cred,
) {
    // SAFETY: The caller guarantees that `old` is valid.
    // Landlock is initialized (see the module documentation).
    let old = unsafe { CredBlob::of(old) };
    // SAFETY: The caller guarantees that `new` is valid and only accessed by
    // itself (and us) while being set up.
    // Landlock is initialized (see the module documentation).
    let new = unsafe { CredBlob::of_mut(new) };
    new.inherit(old);
}

/// Arms in `dst` the ruleset armed by user space in `src` (or disarms `dst`
/// if none is): `LANDLOCK_RESTRICT_SELF_ON_EXEC` with
/// `LANDLOCK_RESTRICT_SELF_TSYNC`, for a sibling thread that does not share
/// the caller's credentials.
///
/// Returns 0, or `-E2BIG` if `dst` already enforces the maximum number of
/// layers (as the calling thread is checked by [`restrict_self`]): then the
/// whole operation fails and `dst` is left to be aborted.
///
/// # Safety
///
/// `src` must be a valid credential, and `dst` credentials prepared by the
/// current task and not committed yet.
#[export]
pub unsafe extern "C" fn landlock_exec_copy_armed(
    dst: *mut bindings::cred,
    src: *const bindings::cred,
) -> c_int {
    // SAFETY: The caller guarantees that `src` is valid.
    // Landlock is initialized (see the module documentation).
    let src = unsafe { CredBlob::of(src) };
    // SAFETY: The caller guarantees that `dst` is valid and, not being
    // committed, only accessed by the current task.
    // Landlock is initialized (see the module documentation).
    let dst = unsafe { CredBlob::of_mut(dst) };
    let armed = src.clone_armed_user();
    if armed.is_some() && dst.is_full() {
        return E2BIG.to_errno();
    }
    let (ruleset, flags) = armed.unzip();
    drop(dst.arm_user(ruleset, flags.unwrap_or(0)));
    0
}

/// `cred_free` hook: releases the slots.
///
/// May be called from an RCU callback: every release is deferred.
///
/// # Safety
///
/// `cred` must be a valid credential being freed.
#[export]
pub unsafe extern "C" fn landlock_exec_cred_free(cred: *mut bindings::cred) {
    // SAFETY: The caller guarantees that `cred` is valid, and nobody else uses
    // a credential being freed.
    // Landlock is initialized (see the module documentation).
    unsafe { CredBlob::of_mut(cred) }.disarm_all();
}

/// Builds the domain to enforce from the point of no return: the domain of
/// `base`, then one layer per BPF arming (the first armed first), then the
/// user space layer of `blob`.  Returns `None` if nothing is armed.
fn merge_armed(
    blob: &CredBlob,
    base: &CredBlob,
    bprm: &bindings::linux_binprm,
) -> Result<Option<(ARef<Domain>, bool)>> {
    let bpf = blob.bpf_layers().into_iter().flat_map(BpfLayers::iter);
    // `Iterator::chain`, not `pin_init::Init::chain` (the prelude's).
    let layers = Iterator::chain(
        bpf.map(|l| (&*l.ruleset, l.flags, true)),
        blob.armed_user().map(|(r, f)| (r, f, false)),
    );
    let mut merged: Option<ARef<Domain>> = None;
    let mut log_subdomains_off = base.log_subdomains_off();
    // The executed program, described for the first layer, copied for the
    // others.
    let mut details = None;
    for (ruleset, flags, is_bpf) in layers {
        let parent = merged.as_deref().or(base.domain());
        // Past the maximum number of layers, the execution fails with EPERM:
        // E2BIG would read "argument list too long" for execve(2).
        if parent.is_some_and(|d| d.is_full()) {
            return Err(EPERM);
        }
        // A BPF layer is the administrator's, not one of the task's
        // subdomains: neither the task's LOG_SUBDOMAINS_OFF nor another
        // BPF layer's mutes it.
        let muted = !is_bpf && log_subdomains_off;
        let details = match details {
            Some(ref d) => d,
            None => details.insert(ExecDetails::of(bprm)?),
        };
        merged = Some(Domain::merge(parent, ruleset, flags, muted, details)?);
        log_subdomains_off |= flags & LOG_SUBDOMAINS_OFF != 0;
    }
    Ok(merged.map(|d| (d, log_subdomains_off)))
}

/// Merges the armed rulesets into the domain of an execution's credentials
/// `blob`, on top of the domain of the executing task `base`.
fn prepare_exec(blob: &mut CredBlob, base: &CredBlob, bprm: &bindings::linux_binprm) -> Result {
    // A BPF arming that failed fails the execution: its ruleset is never
    // silently dropped, even if the program ignored the error.
    blob.bpf_error()?;
    // The hook runs again if a binary format handler fails after it (e.g.
    // an LSM denied the first handler's file with ENOEXEC and another
    // handler takes over).  Each run merges every armed layer again from the
    // task's domain, replacing the domain an earlier run built, so that the
    // order of the layers stays the same when a BPF program armed a ruleset
    // in between (on bprm_check_security for the next binary).
    if let Some((domain, log_subdomains_off)) = merge_armed(blob, base, bprm)? {
        // These credentials stay private to the execution until they are
        // committed, past its point of no return: the domain can be
        // installed now, it is only enforced from then on.
        blob.install(domain, base, log_subdomains_off);
        blob.0.exec_flags.prepared = 1;
    }
    Ok(())
}

/// `bprm_creds_from_file` hook: the last step of an execution that can still
/// fail it, where the armed rulesets are merged into the domain of the
/// execution's credentials.
///
/// Returns 0, or `-ENOMEM`, or `-EPERM` if the domain would have more than
/// the maximum number of layers, or the error of a failed BPF arming, which
/// fail the execution, leaving the calling task unchanged (armed slots
/// included).
///
/// # Safety
///
/// `bprm` must be a valid execution in progress of the current task, before
/// its point of no return.
#[export]
pub unsafe extern "C" fn landlock_exec_bprm_creds_from_file(
    bprm: *mut bindings::linux_binprm,
    _file: *const bindings::file,
) -> c_int {
    // SAFETY: The caller guarantees that `bprm` is valid, and only this task
    // uses it during the hook.
    let bprm = unsafe { &*bprm };
    // SAFETY: The credentials of an execution are private to it until they
    // are committed: nobody else has their pointer.  They are a separate
    // object from `bprm`.
    // Landlock is initialized (see the module documentation).
    let blob = unsafe { CredBlob::of_mut(bprm.cred) };
    // Nothing armed, nothing to merge (nor merged by an earlier run of the
    // hook): the path of every execution where the feature is unused.
    if !blob.is_armed() {
        return 0;
    }
    // SAFETY: The current task neither commits nor overrides credentials
    // during an execution before its point of no return (sibling threads'
    // TSYNC and keyctl changes wait for its return to user space): they are
    // the ones the execution's credentials were copied from
    // (prepare_exec_creds()), whose domain is the base of the merge.
    // Landlock is initialized (see the module documentation).
    let base = unsafe { CredBlob::of_current() };
    from_result(|| prepare_exec(blob, base, bprm).map(|()| 0))
}

/// `bprm_committing_creds` hook, past the point of no return: consumes the
/// slots, sets no_new_privs if asked by a BPF program and emits the
/// `landlock_enforce_domain_exec` trace event.  Cannot fail: the domain was
/// installed in the credentials by [`landlock_exec_bprm_creds_from_file`].
///
/// # Safety
///
/// `bprm` must be a valid execution past its point of no return, whose
/// credentials are about to be committed.
#[export]
pub unsafe extern "C" fn landlock_exec_bprm_committing_creds(bprm: *const bindings::linux_binprm) {
    // SAFETY: The caller guarantees that `bprm` is valid, and its credentials
    // are still private to this execution.
    // Landlock is initialized (see the module documentation).
    let blob = unsafe { CredBlob::of_mut((*bprm).cred) };
    let prepared = blob.0.exec_flags.prepared != 0;
    if !prepared && !blob.is_armed() {
        return;
    }
    let (armed_bpf, armed_user) = (blob.is_armed_bpf(), blob.armed_user().is_some());
    // Every BPF arming is followed by a bprm_creds_from_file hook (arming
    // is only allowed before them, see the policy object kfuncs), which
    // merged what is armed or failed the execution.  Should it ever be
    // otherwise, the program must not run without its sandbox.
    if kernel::warn_on!(!prepared || blob.bpf_error().is_err()) {
        blob.disarm_all();
        // SAFETY: Only sends SIGKILL to the current task.
        unsafe { bindings::landlock_exec_current_kill() };
        return;
    }
    // no_new_privs if any BPF arming asked for it: no arming relaxes another.
    let nnp = blob
        .bpf_layers()
        .is_some_and(|l| l.iter().any(|l| l.flags & NO_NEW_PRIVS != 0));
    blob.disarm_all();
    if nnp {
        // SAFETY: Only sets a flag of the current task, which is executing.
        unsafe { bindings::landlock_exec_current_set_no_new_privs() };
    }
    if let Some(domain) = blob.domain() {
        // SAFETY: `domain` is live (borrowed from the credentials), and the
        // function only emits a trace event about it.
        unsafe {
            bindings::landlock_exec_trace_enforce(
                domain.0.get(),
                armed_bpf,
                armed_user,
                bindings::landlock_exec_current_no_new_privs(),
            )
        };
    }
}

/// Arms `ruleset` for the execution of `blob`, as a new layer above those
/// BPF programs armed before for it.  On error, the execution fails too
/// (see [`prepare_exec`]).
fn restrict_binprm(blob: &mut CredBlob, ruleset: &Ruleset, flags: u32) -> Result {
    let arm = |blob: &mut CredBlob| {
        if flags & !BPF_FLAGS != 0 {
            return Err(EINVAL);
        }
        // Rulesets reach BPF frozen (hook_policy_object_from_fd()).
        if kernel::warn_on!(!ruleset.is_frozen()) {
            return Err(EINVAL);
        }
        blob.arm_bpf(ARef::from(ruleset), flags)
    };
    arm(blob).inspect_err(|e| blob.fail_bpf(*e))
}

/// Arms `ruleset` for the execution `bprm`: the BPF side of
/// `landlock_restrict_self(2)` with `LANDLOCK_RESTRICT_SELF_ON_EXEC`, for the
/// `bpf_lsm_policy_apply_bprm()` kfunc.
///
/// Each arming adds a layer, above the layers armed before by BPF programs
/// for this execution and below the one armed by user space: no arming
/// relaxes another.  With `LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS`,
/// no_new_privs is set at the point of no return, whatever the task's
/// capabilities: a set-user-ID target still runs with its privileges for
/// this execution (an arming from user space sets it at arming instead), and
/// only the executions that follow cannot gain any.  Returns 0, or `-EINVAL`
/// for `ON_EXEC`, `TSYNC` or unknown flags or a NULL `ruleset`, `-ENOMEM`, or
/// `-EPERM` past the maximum number of layers; on error, the execution fails
/// with that error.
///
/// # Safety
///
/// `bprm` must be a valid execution in progress, before its point of no
/// return, called from the executing task, and `ruleset` must be NULL or a
/// ruleset on which the caller holds a reference.
#[export]
pub unsafe extern "C" fn landlock_exec_restrict_binprm(
    bprm: *mut bindings::linux_binprm,
    ruleset: *mut bindings::landlock_ruleset,
    flags: u32,
) -> c_int {
    // SAFETY: The caller guarantees that `bprm` is valid and that its
    // credentials are private to the executing task, which is us.
    // Landlock is initialized (see the module documentation).
    let blob = unsafe { CredBlob::of_mut((*bprm).cred) };
    let Some(ruleset) = NonNull::new(ruleset) else {
        // Not a ruleset: fails the execution as any other arming error.
        blob.fail_bpf(EINVAL);
        return EINVAL.to_errno();
    };
    // SAFETY: The caller holds a reference on `ruleset` for the duration of
    // the call, which satisfies the invariants of `Ruleset`.
    let ruleset = unsafe { ruleset.cast::<Ruleset>().as_ref() };
    from_result(|| restrict_binprm(blob, ruleset, flags).map(|()| 0))
}

#[cfg(CONFIG_SECURITY_LANDLOCK_KUNIT_TEST)]
#[kunit_tests(landlock_exec)]
mod tests {
    use super::*;
    use kernel::sync::{atomic::Relaxed, Refcount};

    const LOG_SAME_EXEC_OFF: u32 = bindings::LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF;

    /// Creates a ruleset handling file reads.
    fn new_ruleset() -> ARef<Ruleset> {
        // SAFETY: Always safe to call; returns an owned ruleset or an error.
        let ptr = unsafe {
            bindings::landlock_create_ruleset(bindings::LANDLOCK_ACCESS_FS_READ_FILE, 0, 0)
        };
        let ptr = from_err_ptr(ptr).expect("ruleset allocation");
        let ptr = NonNull::new(ptr).expect("ruleset pointer");
        // SAFETY: `landlock_create_ruleset()` returned an owned reference.
        unsafe { ARef::from_raw(ptr.cast()) }
    }

    /// Creates a frozen ruleset handling file reads, whose only reference
    /// is the returned one.
    fn new_frozen() -> ARef<Ruleset> {
        let source = new_ruleset();
        let frozen = source.freeze().expect("ruleset copy");
        // Frees the source now, and with it its reference to the copy.
        Ruleset::release(source);
        frozen
    }

    fn usage(ruleset: &Ruleset) -> i32 {
        // SAFETY: `ruleset` is live (type invariants), so its `usage` field
        // is a valid `refcount_t` for the duration of the borrow, and
        // `Refcount` is a transparent wrapper of `refcount_t`.
        let usage = unsafe { &*ptr::addr_of!((*ruleset.as_ptr()).usage).cast::<Refcount>() };
        usage.as_atomic().load(Relaxed)
    }

    fn empty_blob() -> CredBlob {
        // INVARIANT: All-zero is the empty state: no domain, empty slots.
        // SAFETY: `landlock_cred_blob` is plain data: all-zero is valid.
        CredBlob(unsafe { core::mem::zeroed() })
    }

    #[test]
    fn freeze_copies_once() {
        let source = new_ruleset();
        assert!(!source.is_frozen());
        let frozen = source.freeze().expect("ruleset copy");
        assert!(frozen.is_frozen());
        assert!(frozen.as_ptr() != source.as_ptr());
        assert_eq!(usage(&source), 1);
        // The source keeps its copy for the next arming.
        assert_eq!(usage(&frozen), 2);
        let again = source.freeze().expect("same copy");
        assert_eq!(again.as_ptr(), frozen.as_ptr());
        assert_eq!(usage(&frozen), 3);
        let same = frozen.freeze().expect("new reference");
        assert_eq!(same.as_ptr(), frozen.as_ptr());
        assert_eq!(usage(&frozen), 4);
        drop((again, same));
        Ruleset::release(source);
        assert_eq!(usage(&frozen), 1);
    }

    #[test]
    fn arm_replaces_and_releases() {
        let (a, b) = (new_frozen(), new_frozen());
        let mut blob = empty_blob();
        drop(blob.arm_user(Some(a.clone()), ON_EXEC));
        assert_eq!(usage(&a), 2);
        let old = blob.arm_user(Some(b.clone()), ON_EXEC | NO_NEW_PRIVS | LOG_SAME_EXEC_OFF);
        assert!(old.is_some());
        drop(old);
        assert_eq!(usage(&a), 1);
        assert_eq!(usage(&b), 2);
        // Only the logging flags are kept for user space.
        assert_eq!(blob.armed_user().map(|(_, f)| f), Some(LOG_SAME_EXEC_OFF));
        blob.disarm_all();
        assert_eq!(usage(&b), 1);
        assert!(blob.armed_user().is_none());
    }

    #[test]
    fn disarm_empties_the_slot() {
        let a = new_frozen();
        let mut blob = empty_blob();
        drop(blob.arm_user(Some(a.clone()), LOG_SAME_EXEC_OFF));
        drop(blob.arm_user(None, LOG_SAME_EXEC_OFF));
        assert!(blob.armed_user().is_none());
        assert_eq!(blob.0.exec_flags.user, 0);
        assert_eq!(usage(&a), 1);
    }

    #[test]
    fn inherit_takes_the_user_slot_only() {
        let (a, b) = (new_frozen(), new_frozen());
        let mut parent = empty_blob();
        drop(parent.arm_user(Some(a.clone()), LOG_SAME_EXEC_OFF));
        let mut child = empty_blob();
        assert_eq!(child.arm_bpf(b.clone(), NO_NEW_PRIVS), Ok(()));
        child.inherit(&parent);
        assert_eq!(usage(&a), 3);
        assert_eq!(usage(&b), 1);
        let inherited = child.armed_user().map(|(r, f)| (r.as_ptr(), f));
        assert_eq!(inherited, Some((a.as_ptr(), LOG_SAME_EXEC_OFF)));
        assert!(!child.is_armed_bpf());
        parent.disarm_all();
        child.disarm_all();
        assert_eq!(usage(&a), 1);
    }

    #[test]
    fn requests_are_validated() {
        assert_eq!(parse_request(3, ON_EXEC), Ok(Request::Arm(3)));
        assert_eq!(parse_request(-1, ON_EXEC), Ok(Request::Clear));
        assert_eq!(parse_request(3, ON_EXEC | TSYNC), Ok(Request::Arm(3)));
        assert_eq!(parse_request(-1, ON_EXEC | TSYNC), Ok(Request::Clear));
        assert_eq!(parse_request(-1, ON_EXEC | NO_NEW_PRIVS), Err(EINVAL));
        assert_eq!(
            parse_request(-1, ON_EXEC | TSYNC | NO_NEW_PRIVS),
            Err(EINVAL)
        );
        assert_eq!(parse_request(-1, ON_EXEC | LOG_SUBDOMAINS_OFF), Err(EINVAL));
        assert_eq!(parse_request(3, NO_NEW_PRIVS), Err(EINVAL));
    }

    /// The rulesets and flags armed by BPF, the first armed first.
    fn bpf_armed(blob: &CredBlob) -> KVec<(*mut bindings::landlock_ruleset, u32)> {
        let mut v = KVec::new();
        for l in blob.bpf_layers().into_iter().flat_map(BpfLayers::iter) {
            v.push((l.ruleset.as_ptr(), l.flags), GFP_KERNEL)
                .expect("small vector");
        }
        v
    }

    #[test]
    fn bpf_armings_stack() {
        let (a, b) = (new_frozen(), new_frozen());
        let mut blob = empty_blob();
        assert_eq!(restrict_binprm(&mut blob, &a, NO_NEW_PRIVS), Ok(()));
        assert_eq!(usage(&a), 2);
        // A second arming adds a layer: it never replaces the first one,
        // nor its no_new_privs request.
        assert_eq!(restrict_binprm(&mut blob, &b, 0), Ok(()));
        assert_eq!(restrict_binprm(&mut blob, &a, LOG_SAME_EXEC_OFF), Ok(()));
        assert_eq!(
            &bpf_armed(&blob)[..],
            &[
                (a.as_ptr(), NO_NEW_PRIVS),
                (b.as_ptr(), 0),
                (a.as_ptr(), LOG_SAME_EXEC_OFF)
            ]
        );
        assert_eq!(usage(&a), 3);
        assert_eq!(usage(&b), 2);
        assert_eq!(blob.bpf_error(), Ok(()));
        // An arming after a merge asks for a new one.
        blob.0.exec_flags.prepared = 1;
        assert_eq!(restrict_binprm(&mut blob, &b, 0), Ok(()));
        assert_eq!(blob.0.exec_flags.prepared, 0);
        blob.disarm_all();
        assert!(!blob.is_armed_bpf());
        assert_eq!(usage(&a), 1);
        assert_eq!(usage(&b), 1);
    }

    #[test]
    fn bpf_arming_errors_fail_the_execution() {
        let a = new_frozen();
        for flags in [ON_EXEC, TSYNC, 1 << 31] {
            let mut blob = empty_blob();
            assert_eq!(restrict_binprm(&mut blob, &a, flags), Err(EINVAL));
            // Refused, and remembered: the execution fails even if the
            // program ignores the error.
            assert!(bpf_armed(&blob).is_empty());
            assert!(blob.is_armed_bpf());
            assert_eq!(blob.bpf_error(), Err(EINVAL));
            blob.disarm_all();
            assert!(!blob.is_armed_bpf());
        }
        // Past the maximum number of layers: the first error is kept.
        let mut blob = empty_blob();
        for _ in 0..MAX_LAYERS {
            assert_eq!(restrict_binprm(&mut blob, &a, 0), Ok(()));
        }
        assert_eq!(restrict_binprm(&mut blob, &a, 0), Err(EPERM));
        assert_eq!(restrict_binprm(&mut blob, &a, ON_EXEC), Err(EINVAL));
        assert_eq!(blob.bpf_error(), Err(EPERM));
        assert_eq!(bpf_armed(&blob).len(), MAX_LAYERS);
        blob.disarm_all();
        assert_eq!(usage(&a), 1);
    }

    #[test]
    fn exec_layer_bits_cover_new_layers() {
        assert_eq!(exec_layer_bits(0, 1), 0b1);
        assert_eq!(exec_layer_bits(1, 3), 0b110);
        assert_eq!(exec_layer_bits(3, 3), 0);
        assert_eq!(exec_layer_bits(14, 16), 0xc000);
        assert_eq!(exec_layer_bits(0, 16), 0xffff);
    }
}
