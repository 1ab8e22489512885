//! Giving memory back to the operating system after large work (an import).
//!
//! Why glibc's own allocator with `malloc_trim` and not another allocator: an import allocates
//! hundreds of MB on a blocking thread (the decoded file, its cells, its rows) and frees it all
//! at the end. glibc keeps freed memory inside its arenas (one per thread that allocated), and
//! returns an arena's memory to the system only from its top, so after a large import most of it
//! stayed mapped: 5.4 GB held after four parallel uploads (issue 14). `malloc_trim(0)` walks
//! every arena and releases all whole free pages (`madvise(MADV_DONTNEED)`), which is what a
//! finished import needs, for the price of one call and no new dependency. mimalloc or jemalloc
//! would return memory on their own timers, but each adds a C build to every clean build on the
//! 2-core machine and replaces the allocator of the whole process (the ML and report code
//! included) for a problem that has one place where it arises; measured figures are in
//! docs/BENCHMARKS.md (Import: memory). On other C libraries this does nothing.

/// Returns the free memory the allocator holds to the operating system.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's malloc_trim takes only the padding to keep and is safe to call from
        // any thread at any time (it takes each arena's lock).
        unsafe {
            malloc_trim(0);
        }
    }
}
