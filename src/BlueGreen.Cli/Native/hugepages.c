/*
 * Linked into the NativeAOT release binary only (BlueGreen.Cli.csproj, target CompileHugePages).
 *
 * At start-up the NativeAOT runtime "hydrates" its data: it writes ~7 MiB of type data into the zero-filled
 * part of the program's writable segment (.bss and .hydrated). Touched 4 KiB at a time, that is ~1,700 page
 * faults, which cost half of a short command's CPU time on a virtual machine (docs/benchmarks.md, "Start-up").
 * Asking for transparent huge pages on that range before the runtime starts (an ELF constructor runs before
 * main) turns most of them into a few 2 MiB faults. Where THP is "never" the call changes nothing; where it
 * is "always" it is already so. Nothing else is changed: the range is the program's own, and it is written
 * in full anyway, so huge pages add no memory.
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static int advise_zero_fill(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    /* The first object is the program itself (an empty name); its libraries come after. */
    for (int i = 0; i < info->dlpi_phnum; i++)
    {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type == PT_LOAD && (segment->p_flags & PF_W) && segment->p_memsz > segment->p_filesz)
        {
            uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
            uintptr_t start = (info->dlpi_addr + segment->p_vaddr + segment->p_filesz + page - 1) & ~(page - 1);
            uintptr_t end = info->dlpi_addr + segment->p_vaddr + segment->p_memsz;
            if (end > start)
            {
                madvise((void *)start, end - start, MADV_HUGEPAGE); /* a failure only means no gain */
            }
        }
    }

    return 1; /* the program only */
}

__attribute__((constructor)) static void bluegreen_advise_huge_pages(void)
{
    dl_iterate_phdr(advise_zero_fill, NULL);
}
