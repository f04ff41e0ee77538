"""Dumps in the shapes people have, not the project's generator: raw install
scripts written the way sakila, world and chinook ship theirs, and real
mariadb-dump output of small schemas with foreign keys and other charsets."""
from __future__ import annotations

from harness import Sql


def sakila_style_script(database: str) -> bytes:
    """sakila-schema.sql + sakila-data.sql in miniature: the schema names its
    database, creates a trigger before the rows it fires on (ins_film fills
    film_text), and a view and a function read `database`.film qualified."""
    db = database.encode()
    return b"""-- Sakila Sample Database Schema (miniature)
SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0;
SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0;
SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='TRADITIONAL';
DROP SCHEMA IF EXISTS %(db)s;
CREATE SCHEMA %(db)s;
USE %(db)s;

CREATE TABLE language (
  language_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name CHAR(20) NOT NULL,
  PRIMARY KEY (language_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE film (
  film_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  title VARCHAR(128) NOT NULL,
  description TEXT DEFAULT NULL,
  language_id TINYINT UNSIGNED NOT NULL,
  PRIMARY KEY (film_id),
  KEY idx_title (title),
  CONSTRAINT fk_film_language FOREIGN KEY (language_id) REFERENCES language (language_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE film_text (
  film_id SMALLINT NOT NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT,
  PRIMARY KEY (film_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

DELIMITER ;;
CREATE TRIGGER `ins_film` AFTER INSERT ON `film` FOR EACH ROW BEGIN
    INSERT INTO film_text (film_id, title, description)
        VALUES (new.film_id, new.title, new.description);
  END;;
DELIMITER ;

CREATE VIEW film_list AS
SELECT film.film_id AS FID, film.title AS title, language.name AS language
FROM %(db)s.film JOIN %(db)s.language ON film.language_id = language.language_id;

DELIMITER $$
CREATE FUNCTION film_count() RETURNS INT READS SQL DATA
BEGIN
  DECLARE n INT;
  SELECT COUNT(*) INTO n FROM %(db)s.film;
  RETURN n;
END $$
DELIMITER ;

SET SQL_MODE=@OLD_SQL_MODE;
SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS;
SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS;

-- Sakila Sample Database Data (miniature)
SET NAMES utf8mb4;
SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0;
SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0;
SET AUTOCOMMIT=0;
USE %(db)s;
INSERT INTO language VALUES (1,'English'),(2,'Italian'),(3,'Japanese');
COMMIT;
INSERT INTO film VALUES (1,'ACADEMY DINOSAUR','A Epic Drama of a Feminist',1),
(2,'ACE GOLDFINGER','A Astounding Epistle; of a Database Administrator',1),
(3,'ADAPTATION HOLES','It''s a \\'Reflective\\' Panorama',2),
(4,'AFFAIR PREJUDICE','\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e',3);
INSERT INTO film VALUES (5,'AFRICAN EGG','A Fast-Paced Documentary',1);
COMMIT;
SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS;
SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS;
""" % {b"db": db}


def world_style_script(database: str) -> bytes:
    """world.sql's shape: a mysqldump with its header and trailer, then sample
    queries appended after `-- Dump completed`."""
    db = database.encode()
    return b"""-- MySQL dump 10.13  Distrib 8.0.19, for osx10.14 (x86_64)
--
-- Host: 127.0.0.1    Database: %(db)s
-- ------------------------------------------------------
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;

CREATE DATABASE /*!32312 IF NOT EXISTS*/ `%(db)s` /*!40100 DEFAULT CHARACTER SET latin1 */;
USE `%(db)s`;

DROP TABLE IF EXISTS `city`;
CREATE TABLE `city` (
  `ID` int NOT NULL AUTO_INCREMENT,
  `Name` char(35) NOT NULL DEFAULT '',
  `CountryCode` char(3) NOT NULL DEFAULT '',
  PRIMARY KEY (`ID`),
  KEY `CountryCode` (`CountryCode`),
  CONSTRAINT `city_ibfk_1` FOREIGN KEY (`CountryCode`) REFERENCES `country` (`Code`)
) ENGINE=InnoDB AUTO_INCREMENT=4080 DEFAULT CHARSET=latin1;

LOCK TABLES `city` WRITE;
/*!40000 ALTER TABLE `city` DISABLE KEYS */;
INSERT INTO `city` VALUES (1,'Kabul','AFG'),(2,'Qandahar','AFG'),(3,'Amsterdam','NLD');
/*!40000 ALTER TABLE `city` ENABLE KEYS */;
UNLOCK TABLES;

DROP TABLE IF EXISTS `country`;
CREATE TABLE `country` (
  `Code` char(3) NOT NULL DEFAULT '',
  `Name` char(52) NOT NULL DEFAULT '',
  PRIMARY KEY (`Code`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

LOCK TABLES `country` WRITE;
INSERT INTO `country` VALUES ('AFG','Afghanistan'),('NLD','Netherlands');
UNLOCK TABLES;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;

-- Dump completed on 2020-01-22  9:56:18

SELECT COUNT(*) FROM city;
SELECT Name FROM country WHERE Code = 'NLD';
""" % {b"db": db}


def chinook_style_script() -> bytes:
    """Chinook_MySql.sql's shape: no header, no trailer, CREATE INDEX and ALTER
    TABLE ... ADD CONSTRAINT after the tables, one INSERT per row."""
    return b"""/*******************************************************************************
   Chinook Database (miniature)
********************************************************************************/
CREATE TABLE `Artist`
(
    `ArtistId` INT NOT NULL AUTO_INCREMENT,
    `Name` NVARCHAR(120),
    CONSTRAINT `PK_Artist` PRIMARY KEY  (`ArtistId`)
);
CREATE TABLE `Album`
(
    `AlbumId` INT NOT NULL AUTO_INCREMENT,
    `Title` NVARCHAR(160) NOT NULL,
    `ArtistId` INT NOT NULL,
    CONSTRAINT `PK_Album` PRIMARY KEY  (`AlbumId`)
);
ALTER TABLE `Album` ADD CONSTRAINT `FK_AlbumArtistId`
    FOREIGN KEY (`ArtistId`) REFERENCES `Artist` (`ArtistId`) ON DELETE NO ACTION ON UPDATE NO ACTION;
CREATE INDEX `IFK_AlbumArtistId` ON `Album` (`ArtistId`);
INSERT INTO `Artist` (`Name`) VALUES (N'AC/DC');
INSERT INTO `Artist` (`Name`) VALUES (N'Accept');
INSERT INTO `Album` (`Title`, `ArtistId`) VALUES (N'For Those About To Rock We Salute You', 1);
INSERT INTO `Album` (`Title`, `ArtistId`) VALUES (N'Balls to the Wall', 2);
INSERT INTO `Album` (`Title`, `ArtistId`) VALUES (N'Restless and Wild', 2);
"""


def create_parent_child_schema(sql: Sql, schema: str, charset: str = "utf8mb4") -> None:
    """parent(id pk) and child(id pk, pid fk -> parent): the issue's minimal case."""
    sql.execute(f"CREATE DATABASE `{schema}` CHARACTER SET {charset}")
    sql.execute(f"CREATE TABLE `{schema}`.`parent` (id INT PRIMARY KEY, name VARCHAR(20)) ENGINE=InnoDB")
    sql.execute(
        f"CREATE TABLE `{schema}`.`child` (id INT PRIMARY KEY, pid INT NOT NULL, "
        f"CONSTRAINT `child_parent` FOREIGN KEY (pid) REFERENCES `{schema}`.`parent` (id)) ENGINE=InnoDB"
    )
    sql.execute(f"INSERT INTO `{schema}`.`parent` VALUES (1, 'one'), (2, 'two'), (3, 'three')")
    sql.execute(f"INSERT INTO `{schema}`.`child` VALUES (10, 1), (20, 2), (21, 2)")
