/* paths: where the program's own files are. */
#ifndef BASE_PATHS_H
#define BASE_PATHS_H

/* The repository the running executable was built in (build/aftersales -> the directory
 * above build/), where web/ and node_modules/ live; $AFTERSALES_REPO when set. malloc'd;
 * "." if it cannot be told. */
char *paths_repo_dir(void);

#endif
