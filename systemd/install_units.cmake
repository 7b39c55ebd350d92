# Installs the systemd units with the paths of this installation: run by `cmake --install` (an
# install(SCRIPT)), so CMAKE_INSTALL_PREFIX is the prefix given there (--prefix), not only the
# one configured. The units in this folder name the default prefix, /usr/local; only those
# paths change. Set by the install(CODE) before this script: ISR_UNITS_SOURCE (this folder),
# ISR_UNITS_STAGING (a scratch folder in the build tree), ISR_BINDIR, ISR_DOCDIR,
# ISR_SYSTEM_UNIT_DIR, ISR_USER_UNIT_DIR (relative to the prefix, or absolute).

function(isr_under_prefix out dir)
    if(IS_ABSOLUTE "${dir}")
        set(${out} "${dir}" PARENT_SCOPE)
    else()
        set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
    endif()
endfunction()

isr_under_prefix(bindir "${ISR_BINDIR}")
isr_under_prefix(docdir "${ISR_DOCDIR}")
foreach(kind system user)
    if(kind STREQUAL "system")
        set(from "${ISR_UNITS_SOURCE}")
        isr_under_prefix(to "${ISR_SYSTEM_UNIT_DIR}")
    else()
        set(from "${ISR_UNITS_SOURCE}/user")
        isr_under_prefix(to "${ISR_USER_UNIT_DIR}")
    endif()
    file(GLOB units "${from}/*.service" "${from}/*.socket")
    set(staged)
    foreach(unit IN LISTS units)
        get_filename_component(name "${unit}" NAME)
        file(READ "${unit}" text)
        string(REPLACE "/usr/local/bin/" "${bindir}/" text "${text}")
        string(REPLACE "/usr/local/share/doc/isr/" "${docdir}/" text "${text}")
        file(WRITE "${ISR_UNITS_STAGING}/${kind}/${name}" "${text}")
        list(APPEND staged "${ISR_UNITS_STAGING}/${kind}/${name}")
    endforeach()
    file(INSTALL DESTINATION "${to}" TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
         WORLD_READ FILES ${staged})
endforeach()
